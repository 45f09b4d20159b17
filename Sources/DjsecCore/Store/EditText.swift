import Foundation

/// The text of the plaintext copy `djsec secret edit` opens: `#` comment
/// lines, then one `NAME=value` per secret.
///
/// A value is written so that reading it back gives the exact bytes:
/// - plain when it is printable ASCII without quotes, backslashes or spaces;
/// - a JSON string in double quotes for any other UTF-8 text;
/// - `base64:` and the base64 of its bytes when it is not UTF-8 (binary keys,
///   Latin-1 text): decoding it as text would replace bytes with U+FFFD and
///   lose them on save. A text value that itself starts with `base64:` is
///   quoted, so the marker is never ambiguous.
public enum EditText {
  static let base64Marker = "base64:"
  static let usage = [
    "# djsec secret edit: one NAME=value per line; save and quit the editor to apply.",
    "# A value in double quotes is read as a JSON string. To change nothing, empty the file or quit with an error (:cq in vi).",
  ]
  static let base64Note =
    "# NAME=base64:... holds a value that is not UTF-8 text, as the base64 of its exact bytes (\"base64:...\" in quotes is plain text)."
  /// Lines djsec puts at the top of the copy when it reopens the editor on an
  /// error; they are comments, and dropped again before the next message.
  static let errorPrefix = "# djsec: "

  /// The copy's text for these secrets, in the given order.
  public static func render(_ secrets: [(name: String, value: [UInt8])]) -> String {
    var lines = usage
    if secrets.contains(where: { utf8($0.value) == nil }) { lines.append(base64Note) }
    for (name, value) in secrets { lines.append("\(name)=\(encode(value))") }
    return lines.joined(separator: "\n") + "\n"
  }

  static func encode(_ value: [UInt8]) -> String {
    guard let text = utf8(value) else { return base64Marker + Base64Text.encode(value) }
    let plain = !text.isEmpty && !text.hasPrefix(base64Marker) && value.allSatisfy { $0 > 32 && $0 < 127 && $0 != 34 && $0 != 92 }
    return plain ? text : quote(text)
  }

  /// A JSON string literal. Control characters are escaped so that nothing
  /// invisible hides in the editor; other characters are written as they are.
  static func quote(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20 || scalar.value == 0x7f:
        out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  /// The secrets in the edited copy, in file order. Errors give the line
  /// number and what was expected, never the line's text.
  public static func parse(_ bytes: [UInt8], checkName: (String) -> String? = { _ in nil }) throws(EditError)
    -> [(name: String, value: [UInt8])]
  {
    var secrets: [(name: String, value: [UInt8])] = []
    var firstLine: [String: Int] = [:]
    for (index, raw) in bytes.split(separator: 10, omittingEmptySubsequences: false).enumerated() {
      let number = index + 1
      var line = Array(raw)
      if line.last == 13 { line.removeLast() }
      guard let text = utf8(line) else {
        throw .invalidCopy(line: number, reason: "not UTF-8 text (write a value that is not text as base64:...)")
      }
      let trimmed = text.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
      guard let eq = trimmed.firstIndex(of: "=") else { throw .invalidCopy(line: number, reason: "expected NAME=value") }
      let name = String(trimmed[..<eq])
      guard StoreFile.isValidName(name) else {
        throw .invalidCopy(
          line: number, reason: "the name is not valid (letters, digits and underscores, not starting with a digit, before the =)")
      }
      if let reason = checkName(name) { throw .invalidCopy(line: number, reason: reason) }
      if let first = firstLine[name] { throw .invalidCopy(line: number, reason: "the name on line \(first) is set again") }
      firstLine[name] = number
      secrets.append((name, try decode(trimmed[trimmed.index(after: eq)...], line: number)))
    }
    return secrets
  }

  static func decode(_ value: Substring, line: Int) throws(EditError) -> [UInt8] {
    if value.hasPrefix("\"") {
      // JSONSerialization reads one string inside an array; anything after
      // the closing quote makes it something else, which is refused.
      guard let data = "[\(value)]".data(using: .utf8),
        let array = try? JSONSerialization.jsonObject(with: data) as? [String], array.count == 1
      else { throw .invalidCopy(line: line, reason: "the quoted value is not one JSON string") }
      return Array(array[0].utf8)
    }
    if value.hasPrefix(base64Marker) {
      guard let bytes = Base64Text.decode(value.dropFirst(base64Marker.count)) else {
        throw .invalidCopy(line: line, reason: "the value after base64: is not valid base64")
      }
      return bytes
    }
    return Array(value.utf8)
  }

  /// The copy reopened after an error: the message (line number renumbered
  /// for the new text) as `#` lines at the top, in place of any earlier one.
  public static func annotate(_ saved: [UInt8], line: Int, reason: String) -> [UInt8] {
    var lines = saved.split(separator: 10, omittingEmptySubsequences: false)
    var dropped = 0
    while let first = lines.first, first.starts(with: errorPrefix.utf8) {
      lines.removeFirst()
      dropped += 1
    }
    let header = [
      "\(errorPrefix)error on line \(line - dropped + 2): \(reason)",
      "\(errorPrefix)fix it and save to apply; empty the file or quit with an error (:cq in vi) to change nothing",
    ]
    return Array((header.joined(separator: "\n") + "\n").utf8) + Array(lines.joined(separator: [10]))
  }

  /// The text of `bytes` when they are valid UTF-8, else nil.
  static func utf8<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String? {
    let text = String(decoding: bytes, as: UTF8.self)
    return text.utf8.elementsEqual(bytes) ? text : nil
  }
}
