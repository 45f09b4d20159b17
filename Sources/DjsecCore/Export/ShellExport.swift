/// POSIX shell words: a single-quoted string holds every byte as it is but
/// the quote itself, written as '\'' (close, escaped quote, reopen).
enum ShellExport {
  static func quote(_ value: String) -> String {
    "'" + ScalarEscape.escape(value) { $0 == "'" ? "'\\''" : nil } + "'"
  }
}
