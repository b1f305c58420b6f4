// Package questions turns the TOML files that the organisation department
// writes by hand into question banks (题库) and a study plan (学习计划) that
// the quiz engine uses.
//
// It owns:
//
//   - the file formats, documented for bank authors in README.md beside this
//     file: one bank (套) per file with [[question]] tables, and the study
//     plan with [[month]] tables;
//   - the validator behind `partyquiz validate` and behind a bank uploaded in
//     chat: it reports every problem of a file at once, each as a Problem
//     ("file:line: what is wrong", in Chinese, for people who are not
//     programmers), and notes what does not stop a file from being used
//     but should be looked at (duplicated questions, options that refer to
//     others and should keep their order); it never panics on any input;
//   - Excel workbooks (xlsx.go): ImportXLSX reads the layouts real banks
//     come in, by their header row, into banks written as TOML
//     (EncodeBank), every row it cannot read a Problem at "FILE 工作表!行",
//     bounded against crafted files; ExportXLSX writes banks back in the
//     layout it reads; ImportDOCX (docx.go) reads a Word paper the same
//     way, and ImportFile picks one by the file's name;
//   - Normalize, the comparison of typed fill-in answers (NFKC, case, spaces
//     and ASCII and Chinese sentence punctuation ignored; never a mark that
//     changes a number or a quantity, such as 1.5, 10%, -5, 1:2 or 1/3);
//   - the sample banks built into the program (Builtin, each marked
//     Builtin; BuiltinFile returns one of their files as written), and the
//     authors' guide, README.md, built in too (Guide) so that the bot can
//     send it.
//
// Its types are Bank, Question (with Type: 单选, 多选, 判断, 填空), Plan,
// Catalog (a validated set of banks and an optional plan), Problem and
// Problems, Import and ImportedBank.
//
// It must never: accept a file with a problem into a Catalog (a Catalog is
// only built from files without problems), silently ignore an unknown key,
// or import the quiz engine, the store or Telegram. It reads files and
// returns bytes; it keeps no state and writes no file.
package questions
