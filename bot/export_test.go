package bot

// TypographyProblem is typographyProblem for the end-to-end tests (package
// bot_test): "" when a rendered text's typography is right.
var TypographyProblem = typographyProblem
