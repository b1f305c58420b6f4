module partyquiz

go 1.26.0

require (
	github.com/BurntSushi/toml v1.6.0
	golang.org/x/text v0.44.0
)

require github.com/go-telegram-bot-api/telegram-bot-api/v5 v5.5.1 // indirect
