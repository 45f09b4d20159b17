import DjsecCore

// The only writer to stderr. Every message djsec prints there has one shape:
//   djsec: error: <what was tried and failed>
//   djsec: hint: <what to do>
//   djsec: warning: <something the user should know>
// Lower case, no trailing period, one line each. A message names paths and
// ids, never a secret value.
//
// Messages quote text from files anyone with push access can write (a store's
// version line, a .pub label, a path). So that such text can neither drive
// the terminal (erase a line, recolour it, fake a verdict) nor reorder what it
// shows, every control character is written as `\u{..}`: C0 (the line feed
// too, so a message stays one line), DEL, C1, the line and paragraph
// separators and the bidirectional controls.
#if canImport(Glibc)
  import Glibc
#endif

enum Diagnostics {
  static func error(_ message: String, hint: String? = nil) {
    write("djsec: error: \(message)")
    if let hint { write("djsec: hint: \(hint)") }
  }

  static func warning(_ message: String, hint: String? = nil) {
    write("djsec: warning: \(message)")
    if let hint { write("djsec: hint: \(hint)") }
  }

  static func note(_ message: String) {
    write("djsec: \(message)")
  }

  static func report(_ error: any DjsecError) {
    self.error(error.message, hint: error.hint)
  }

  /// A progress line that redraws itself; only called when stderr is a terminal.
  static func progress(_ line: String) {
    let text = Array(("\r\u{1B}[K" + escaped(line)).utf8)
    _ = text.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
  }

  /// `text` with every character a terminal would act on, or that reorders
  /// the text around it, written as `\u{1B}` (hex, as in a Swift literal).
  static func escaped(_ text: String) -> String {
    var out = ""
    out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
    for scalar in text.unicodeScalars {
      if isControl(scalar) {
        out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x00...0x1F, 0x7F...0x9F: true  // C0, DEL, C1 (0x9B is CSI on its own)
    case 0x2028, 0x2029: true  // line and paragraph separators
    case 0x202A...0x202E, 0x2066...0x2069: true  // bidi embeddings, overrides and isolates
    case 0x200E, 0x200F, 0x061C: true  // bidi marks: they reorder the text beside them too
    default: false
    }
  }

  private static func write(_ line: String) {
    // Written with write(2) so it needs no shared FILE* (Swift 6 refuses the
    // global `stderr`); the escaping above keeps it one line.
    let text = Array((escaped(line) + "\n").utf8)
    _ = text.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
  }
}

enum Progress {
  static let blobs: @Sendable (Int, Int) -> Void = { done, total in
    // A whole-history scan reads the store in one pass without listing it
    // first: it knows how many blobs it has read, not how many there are.
    Diagnostics.progress(total > 0 ? "djsec: scanning \(done)/\(total) blobs" : "djsec: scanning, \(done) blobs read")
  }

  static func clear() { Diagnostics.progress("") }
}
