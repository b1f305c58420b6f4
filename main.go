// Command partyquiz runs the partyquiz Telegram bot and its tools.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches the subcommand and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "validate":
			return runValidate(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintln(stderr, "usage: partyquiz validate PATH...")
	return 2
}
