// The only file that calls PCRE2: the precise matcher, run on the windows
// around Hyperscan's hits to find where a match starts and what its secret is.
internal import CPCRE2
import Foundation

/// A compiled PCRE2 pattern, JIT-compiled on first use. Shared between threads;
/// match data (per-call state) is allocated per call.
final class PreciseRegex: @unchecked Sendable {
  // @unchecked Sendable: `code` is compiled and JIT-compiled once, under
  // `jitLock`, and only read after that.
  private var code: OpaquePointer?
  private let pattern: String
  private let jitLock = NSLock()
  private var jitted = false

  struct Match {
    var range: Range<Int>
    /// Capture group 1, when the pattern has one and it took part.
    var group1: Range<Int>?
  }

  /// Compiles now: an invalid pattern is an error naming it.
  init(_ pattern: String) throws(PatternError) {
    self.pattern = pattern
    code = try Self.compile(pattern)
  }

  /// Compiles on first use, for a pattern already known to compile (the
  /// rules that a cached database stands for were checked when it was built).
  init(checked pattern: String) {
    self.pattern = pattern
    code = nil
  }

  private static func compile(_ pattern: String) throws(PatternError) -> OpaquePointer {
    var errorCode: Int32 = 0
    var errorOffset = 0
    // Byte mode (no PCRE2_UTF): blobs are arbitrary bytes, often not valid UTF-8.
    let compiled = pattern.withCString { p in
      pcre2_compile_8(UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), pattern.utf8.count, 0, &errorCode, &errorOffset, nil)
    }
    guard let compiled else {
      var buffer = [UInt8](repeating: 0, count: 256)
      pcre2_get_error_message_8(errorCode, &buffer, buffer.count)
      let text = String(decoding: buffer.prefix(while: { $0 != 0 }), as: UTF8.self)
      throw PatternError(message: "\(text) at offset \(errorOffset)")
    }
    return compiled
  }

  /// JIT makes matching cheap, but compiling hundreds of patterns for it
  /// took most of a small scan's start-up: a pattern is JIT-compiled the
  /// first time it is used, and most never are. Without JIT (an unusual
  /// build) matching still works.
  private func prepare() -> OpaquePointer {
    jitLock.lock()
    defer { jitLock.unlock() }
    if code == nil {
      do { code = try Self.compile(pattern) } catch {
        // Only a cache file planted by hand could get here: stop rather than match nothing.
        fatalError("djsec: a rule pattern that compiled before no longer does (\(error.message)); remove ~/.cache/djsec")
      }
    }
    if !jitted {
      _ = pcre2_jit_compile_8(code, UInt32(PCRE2_JIT_COMPLETE))
      jitted = true
    }
    return code!
  }

  deinit { if let code { pcre2_code_free_8(code) } }

  struct PatternError: Error { let message: String }

  /// Every non-overlapping match that starts in `window` of `subject`. The
  /// subject is the whole buffer, so anchors and look-behind see real context.
  /// `group`: the capture group taken as `group1` (a gitleaks rule's
  /// `secretGroup`); by default the first that took part.
  func matches(in subject: UnsafeRawBufferPointer, window: Range<Int>, limit: Int = 1 << 16, group wanted: Int? = nil) -> [Match] {
    guard let base = subject.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return [] }
    let code = prepare()
    guard let data = pcre2_match_data_create_from_pattern_8(code, nil) else { return [] }
    defer { pcre2_match_data_free_8(data) }
    var found: [Match] = []
    var start = window.lowerBound
    let end = min(window.upperBound, subject.count)
    while start <= end, found.count < limit {
      let rc = pcre2_match_8(code, base, end, start, 0, data, nil)
      guard rc > 0 else { break }
      let ovector = pcre2_get_ovector_pointer_8(data)!
      let s = ovector[0]
      let e = ovector[1]
      var group: Range<Int>?
      // The first capture group that took part (PCRE2_UNSET is ~0, which does not import).
      var g = wanted ?? 1
      while group == nil, g < Int(rc), wanted == nil || g == wanted {
        if ovector[2 * g] != Int.max && ovector[2 * g] != ~0, ovector[2 * g + 1] >= ovector[2 * g] {
          group = ovector[2 * g]..<ovector[2 * g + 1]
        }
        g += 1
      }
      found.append(Match(range: s..<e, group1: group))
      start = e > s ? e : e + 1
    }
    return found
  }

  /// Whether `text` matches anywhere (for allow patterns over a found secret).
  func matches(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { bytes in
      !matches(in: UnsafeRawBufferPointer(bytes), window: 0..<bytes.count, limit: 1).isEmpty
    }
  }
}
