/// POSIX shell words: a single-quoted string holds every byte as it is but
/// the quote itself (ShellWord.singleQuoted).
enum ShellExport {
  static func quote(_ value: String) -> String { ShellWord.singleQuoted(value) }
}
