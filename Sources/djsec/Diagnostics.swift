import DjsecCore
import Foundation

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

  /// A progress line that redraws itself; only called when stderr is a
  /// terminal. Parts marked `emphasis` are bold when `color` is on (the
  /// caller decides: NO_COLOR and TERM=dumb turn it off); the text itself is
  /// escaped like every other message.
  static func progress(_ parts: [(text: String, emphasis: Bool)], color: Bool = false) {
    var line = "\r\u{1B}[K"
    for part in parts {
      line += color && part.emphasis ? "\u{1B}[1m" + escaped(part.text) + "\u{1B}[0m" : escaped(part.text)
    }
    let text = Array(line.utf8)
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

/// The scan's progress line on a terminal (never when stderr is not one):
/// the phase, how far (with MiB/s and an ETA when the total is known) and
/// the findings so far.
final class Progress: @unchecked Sendable {
  // @unchecked Sendable: `drawn` is only touched under `lock`.
  private let lock = NSLock()
  private let start = Date()
  private let color: Bool
  private var drawn = false

  init(color: Bool) { self.color = color }

  /// Whether stderr is a terminal, so that progress may be drawn.
  static var wanted: Bool { isatty(2) != 0 }

  func update(_ p: ScanProgress) {
    let elapsed = max(0.001, Date().timeIntervalSince(start))
    let mib = Double(p.bytesDone) / 1_048_576
    var parts: [(text: String, emphasis: Bool)] = [("djsec: ", false)]
    switch p.phase {
    case .listing:
      parts.append(("listing", true))
      parts.append((" what the range introduced (git log)", false))
    case .reading:
      parts.append(("reading", true))
      if let total = p.bytesTotal, total > 0 {
        let share = min(1, Double(p.bytesDone) / Double(total))
        parts.append((" \(Int(share * 100))% of \(Self.mib(total))", false))
        let rate = mib / elapsed
        parts.append((" · \(String(format: "%.1f", rate)) MiB/s", false))
        if rate > 0, share > 0.02 {
          parts.append((" · ETA \(Self.duration((Double(total - p.bytesDone) / 1_048_576) / rate))", false))
        }
      } else {
        parts.append((" \(String(format: "%.0f", mib)) MiB · \(String(format: "%.1f", mib / elapsed)) MiB/s", false))
      }
      parts.append((" · \(p.blobs) blobs", false))
    case .attributing:
      parts.append(("attributing", true))
      parts.append((" findings to the commits that introduced them (git log)", false))
    }
    if p.findings > 0 { parts.append((" · \(p.findings) finding\(p.findings == 1 ? "" : "s") so far", true)) }
    lock.withLock {
      drawn = true
      Diagnostics.progress(parts, color: color)
    }
  }

  /// Erases the line, if one was drawn.
  func clear() {
    lock.withLock {
      if drawn { Diagnostics.progress([]) }
      drawn = false
    }
  }

  private static func mib(_ bytes: Int) -> String {
    bytes >= 1 << 30 ? String(format: "%.1f GiB", Double(bytes) / 1_073_741_824) : "\(bytes >> 20) MiB"
  }

  private static func duration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded(.up))
    return s < 60 ? "\(s)s" : "\(s / 60)m\(String(format: "%02d", s % 60))s"
  }
}
