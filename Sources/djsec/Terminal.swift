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

  /// The passphrase of a key file: DJSEC_PASSPHRASE (for automation), else asked at the terminal.
  static func passphrase(for key: KeyFile) throws(StoreError) -> [UInt8] {
    if let env = ProcessInfo.processInfo.environment["DJSEC_PASSPHRASE"] { return Array(env.utf8) }
    guard let typed = readHidden(prompt: "passphrase for \(key.path): ") else { throw .noPassphrase(keyFile: key.path) }
    return typed
  }

  /// Everything on standard input, less one trailing newline (what `echo` adds).
  static func readStandardInput() -> [UInt8] {
    var data = Array(FileHandle.standardInput.readDataToEndOfFile())
    if data.last == 10 { data.removeLast() }
    if data.last == 13 { data.removeLast() }
    return data
  }
}
