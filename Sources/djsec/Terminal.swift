// Reading secrets from a person: from /dev/tty with echo turned off, never
// from the command line (where values land in shell history and `ps`).
import DjsecCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

enum Terminal {
  /// A line typed at the terminal without echo; nil when there is no terminal.
  static func readHidden(prompt: String) -> [UInt8]? {
    let fd = open("/dev/tty", O_RDWR | O_NOCTTY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var old = termios()
    guard tcgetattr(fd, &old) == 0 else { return nil }
    var quiet = old
    quiet.c_lflag &= ~tcflag_t(ECHO)
    _ = prompt.withCString { write(fd, $0, strlen($0)) }
    tcsetattr(fd, TCSAFLUSH, &quiet)
    defer {
      tcsetattr(fd, TCSAFLUSH, &old)
      _ = write(fd, "\n", 1)
    }
    var out: [UInt8] = []
    var byte: UInt8 = 0
    while read(fd, &byte, 1) == 1, byte != 10 { out.append(byte) }
    return out
  }

  /// A yes/no question at the terminal, answered visibly; only "y" or "yes"
  /// means yes. nil when there is no terminal to ask.
  static func confirm(_ question: String) -> Bool? {
    let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    _ = "djsec: \(question)".withCString { write(fd, $0, strlen($0)) }
    var answer: [UInt8] = []
    var byte: UInt8 = 0
    while read(fd, &byte, 1) == 1, byte != 10 { answer.append(byte) }
    let text = String(decoding: answer, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
    return text == "y" || text == "yes"
  }

  /// The passphrase of a key file: DJSEC_PASSPHRASE (for automation, taken
  /// at start-up), else asked at the terminal.
  static func passphrase(for key: KeyFile) throws(StoreError) -> [UInt8] {
    if let env = Djsec.environment.passphrase { return env.withUnsafeBytes { Array($0) } }
    guard let typed = readHidden(prompt: "passphrase for \(key.path): ") else { throw .key(.noPassphrase(keyFile: key.path)) }
    return typed
  }

  /// A new passphrase: DJSEC_PASSPHRASE, else typed twice at the terminal.
  /// Never empty: a key sealed under nothing only looks protected.
  static func newPassphrase(for keyFile: String) throws(KeyFileError) -> [UInt8] {
    let words: [UInt8]
    if let env = Djsec.environment.passphrase {
      words = env.withUnsafeBytes { Array($0) }
    } else {
      guard let first = readHidden(prompt: "new passphrase: "), let second = readHidden(prompt: "again: ") else {
        throw .noPassphrase(keyFile: keyFile)
      }
      guard first == second else { throw .passphrasesDiffer }
      words = first
    }
    guard !words.isEmpty else { throw .emptyPassphrase }
    return words
  }

  /// Everything on standard input, less one trailing newline (what `echo` adds).
  static func readStandardInput() -> [UInt8] {
    var data = Array(FileHandle.standardInput.readDataToEndOfFile())
    if data.last == 10 { data.removeLast() }
    if data.last == 13 { data.removeLast() }
    return data
  }
}
