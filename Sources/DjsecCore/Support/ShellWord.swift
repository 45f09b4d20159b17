/// A path or name as one POSIX shell word, for commands a message tells the
/// user to run: left as it is when the shell would read it unchanged, else
/// single-quoted (a quote inside written as '\'' : close, escaped quote,
/// reopen), so the printed command works when pasted.
public enum ShellWord {
  public static func quoted(_ word: String) -> String {
    let plain = !word.isEmpty && word.unicodeScalars.allSatisfy { safe.contains($0) }
    return plain ? word : singleQuoted(word)
  }

  /// Always single-quoted, escaped code point by code point (ScalarEscape):
  /// a quote followed by a combining mark is one Character to Swift but two
  /// code points to the shell, and must still be escaped.
  public static func singleQuoted(_ value: String) -> String {
    "'" + ScalarEscape.escape(value) { $0 == "'" ? "'\\''" : nil } + "'"
  }

  /// Characters no shell treats specially anywhere in a word.
  private static let safe = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-./@%+=:,".unicodeScalars)
}
