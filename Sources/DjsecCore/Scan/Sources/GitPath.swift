/// A path as git stores it, bytes and all. A path is shown as it is when it
/// is valid UTF-8 without control characters, quotes or backslashes (nearly
/// every path); otherwise in git's own quoted form, `"caf\351.py"`, the form
/// `git log` shows with core.quotePath. No byte is replaced (a U+FFFD would
/// name a file that does not exist), a newline in a path cannot start a
/// fake line of a text report, and `bytes(_:)` gives git's bytes back (for
/// a SARIF URI).
enum GitPath {
  /// The path git printed (quoted by git or not, with core.quotePath=false).
  static func text(_ printed: [UInt8]) -> String {
    let raw = printed.count >= 2 && printed.first == 34 && printed.last == 34 ? unquote(printed) : printed
    return needsQuoting(raw) ? quote(raw) : String(decoding: raw, as: UTF8.self)
  }

  /// git's bytes for a path `text(_:)` made.
  static func bytes(_ text: String) -> [UInt8] {
    let utf8 = Array(text.utf8)
    return utf8.count >= 2 && utf8.first == 34 && utf8.last == 34 ? unquote(utf8) : utf8
  }

  static func needsQuoting(_ bytes: [UInt8]) -> Bool {
    bytes.contains { $0 < 0x20 || $0 == 0x7F || $0 == 34 || $0 == 92 } || String(validating: bytes, as: UTF8.self) == nil
  }

  static func quote(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = [34]
    func octal(_ b: UInt8) {
      out.append(92)
      out += Array(String(b, radix: 8).leftPadded(to: 3).utf8)
    }
    var i = 0
    while i < bytes.count {
      let b = bytes[i]
      switch b {
      case 34, 92: out += [92, b]
      case 7: out += Array("\\a".utf8)
      case 8: out += Array("\\b".utf8)
      case 9: out += Array("\\t".utf8)
      case 10: out += Array("\\n".utf8)
      case 11: out += Array("\\v".utf8)
      case 12: out += Array("\\f".utf8)
      case 13: out += Array("\\r".utf8)
      case 0..<0x20, 0x7F: octal(b)
      case 0x80...:
        // A whole valid UTF-8 character stays; a stray byte is escaped.
        let length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
        if length > 1, i + length <= bytes.count, String(validating: bytes[i..<(i + length)], as: UTF8.self) != nil {
          out += bytes[i..<(i + length)]
          i += length
          continue
        }
        octal(b)
      default: out.append(b)
      }
      i += 1
    }
    out.append(34)
    return String(decoding: out, as: UTF8.self)
  }

  /// Undoes C-style quoting ("a\tb", "caf\351") into the bytes it stands for.
  static func unquote(_ raw: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var i = 1
    while i < raw.count - 1 {
      let c = raw[i]
      guard c == 92, i + 1 < raw.count - 1 else {
        out.append(c)
        i += 1
        continue
      }
      let e = raw[i + 1]
      switch e {
      case UInt8(ascii: "a"): out.append(7)
      case UInt8(ascii: "b"): out.append(8)
      case UInt8(ascii: "t"): out.append(9)
      case UInt8(ascii: "n"): out.append(10)
      case UInt8(ascii: "v"): out.append(11)
      case UInt8(ascii: "f"): out.append(12)
      case UInt8(ascii: "r"): out.append(13)
      case UInt8(ascii: "0")...UInt8(ascii: "3") where i + 3 < raw.count:
        out.append(UInt8(String(decoding: raw[(i + 1)...(i + 3)], as: UTF8.self), radix: 8) ?? 0)
        i += 4
        continue
      default: out.append(e)
      }
      i += 2
    }
    return out
  }
}

extension String {
  /// Zeros in front, up to `width` characters (octal and hex escapes).
  func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
