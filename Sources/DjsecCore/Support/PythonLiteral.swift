/// Python source literals for values written into generated settings files.
/// Whatever a value holds (quotes, backslashes, newlines, NUL, non-ASCII), the
/// literal evaluates back to exactly that string, so a secret can never break
/// out of its string and become code.
public enum PythonLiteral {
  public static func string(_ value: String) -> String {
    var out = "\""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\\": out += "\\\\"
      case "\"": out += "\\\""
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7F {
          out += "\\x" + hex(scalar.value, width: 2)
        } else if scalar.properties.generalCategory == .lineSeparator
          || scalar.properties.generalCategory == .paragraphSeparator
          || scalar.properties.generalCategory == .control
          || scalar.properties.generalCategory == .surrogate
        {
          // Keep the source one line per value: escape Unicode line breaks and controls.
          out += scalar.value <= 0xFFFF ? "\\u" + hex(scalar.value, width: 4) : "\\U" + hex(scalar.value, width: 8)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }

  public static func list(_ values: [String]) -> String {
    "[" + values.map(string).joined(separator: ", ") + "]"
  }

  public static func bool(_ value: Bool) -> String { value ? "True" : "False" }

  private static func hex(_ value: UInt32, width: Int) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }

  /// Reads back the first `NAME = "..."` assignment that djsec itself wrote
  /// (a double-quoted literal on one line, with the escapes `string` emits).
  /// Anything else returns nil: djsec then refuses to guess.
  public static func assignedString(named name: String, in source: String) -> String? {
    guard let rest = assignedValue(named: name, in: source), rest.first == "\"" else { return nil }
    return decodeDoubleQuoted(rest.dropFirst())
  }

  /// What follows `NAME = ` on the first line that assigns NAME at the start.
  private static func assignedValue(named name: String, in source: String) -> Substring? {
    for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
      guard line.hasPrefix(name) else { continue }
      var rest = line.dropFirst(name.count).drop(while: { $0 == " " })
      guard rest.first == "=" else { continue }
      rest = rest.dropFirst().drop(while: { $0 == " " })
      return rest
    }
    return nil
  }

  /// Reads back the first `NAME = ["...", ...]` list that djsec wrote
  /// (`list`, on one line); nil for anything else.
  public static func assignedStrings(named name: String, in source: String) -> [String]? {
    guard let rest = assignedValue(named: name, in: source), rest.first == "[" else { return nil }
    var it = rest.dropFirst().unicodeScalars.makeIterator()
    var values: [String] = []
    var expectValue = true
    while let c = it.next() {
      switch c {
      case "]" where values.isEmpty || !expectValue: return values
      case "\"" where expectValue:
        guard let value = decodeDoubleQuoted(&it) else { return nil }
        values.append(value)
        expectValue = false
      case "," where !expectValue: expectValue = true
      case " ": continue
      default: return nil
      }
    }
    return nil
  }

  private static func decodeDoubleQuoted(_ body: Substring) -> String? {
    var it = body.unicodeScalars.makeIterator()
    return decodeDoubleQuoted(&it)
  }

  /// Decodes up to the closing quote, leaving `it` after it.
  private static func decodeDoubleQuoted(_ it: inout Substring.UnicodeScalarView.Iterator) -> String? {
    var out = String.UnicodeScalarView()
    while let c = it.next() {
      if c == "\"" { return String(out) }
      guard c == "\\" else {
        out.append(c)
        continue
      }
      guard let e = it.next() else { return nil }
      switch e {
      case "\\": out.append("\\")
      case "\"": out.append("\"")
      case "'": out.append("'")
      case "n": out.append("\n")
      case "r": out.append("\r")
      case "t": out.append("\t")
      case "x", "u", "U":
        let width = e == "x" ? 2 : e == "u" ? 4 : 8
        var digits = ""
        for _ in 0..<width {
          guard let d = it.next() else { return nil }
          digits.unicodeScalars.append(d)
        }
        guard let v = UInt32(digits, radix: 16), let s = Unicode.Scalar(v) else { return nil }
        out.append(s)
      default: return nil
      }
    }
    return nil
  }
}
