/// Escaping one Unicode scalar at a time. Foundation's
/// `replacingOccurrences(of:with:)` compares Characters: a quote followed by
/// a combining mark (`'` + U+0301) is one Character, is not found, and
/// would end its quoted string in the file. Readers of these formats see
/// scalars (bytes), so escaping does too.
enum ScalarEscape {
  /// `value` with each scalar `replacement` names replaced by that text.
  static func escape(_ value: String, _ replacement: (Unicode.Scalar) -> String?) -> String {
    var out = String.UnicodeScalarView()
    for scalar in value.unicodeScalars {
      if let text = replacement(scalar) { out.append(contentsOf: text.unicodeScalars) } else { out.append(scalar) }
    }
    return String(out)
  }

  /// Whether `value`'s UTF-8 bytes hold `needle`'s, byte for byte.
  static func contains(_ value: String, _ needle: String) -> Bool {
    let bytes = Array(value.utf8)
    let pattern = Array(needle.utf8)
    guard !pattern.isEmpty, bytes.count >= pattern.count else { return pattern.isEmpty }
    return (0...(bytes.count - pattern.count)).contains { bytes[$0..<$0 + pattern.count].elementsEqual(pattern) }
  }
}
