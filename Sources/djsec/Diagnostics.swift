import DjsecCore

// The only writer to stderr. Every message djsec prints there has one shape:
//   djsec: error: <what was tried and failed>
//   djsec: hint: <what to do>
//   djsec: warning: <something the user should know>
// Lower case, no trailing period, one line each. A message names paths and
// ids, never a secret value.
#if canImport(Glibc)
  import Glibc
#endif

enum Diagnostics {
  static func error(_ message: String, hint: String? = nil) {
    write("djsec: error: \(message)")
    if let hint { write("djsec: hint: \(hint)") }
  }

  static func warning(_ message: String) {
    write("djsec: warning: \(message)")
  }

  static func note(_ message: String) {
    write("djsec: \(message)")
  }

  static func report(_ error: any DjsecError) {
    self.error(error.message, hint: error.hint)
  }

  /// A progress line that redraws itself; only called when stderr is a terminal.
  static func progress(_ line: String) {
    let text = Array(("\r\u{1B}[K" + line).utf8)
    _ = text.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
  }

  private static func write(_ line: String) {
    // One line per message, whatever the text held; written with write(2) so
    // it needs no shared FILE* (Swift 6 refuses the global `stderr`).
    let text = Array((line.split(separator: "\n").joined(separator: " ") + "\n").utf8)
    _ = text.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
  }
}

enum Progress {
  static let blobs: @Sendable (Int, Int) -> Void = { done, total in
    Diagnostics.progress("djsec: scanning \(done)/\(total) blobs")
  }

  static func clear() { Diagnostics.progress("") }
}
