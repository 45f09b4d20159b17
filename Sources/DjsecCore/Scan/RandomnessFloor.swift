/// How random a value must look to pass for a generated credential, by its
/// alphabet and length: the 0.1st percentile of the Shannon entropy of random
/// strings drawn uniformly from that alphabet (40,000 samples per cell, measured
/// with Python's `secrets` module), so one random value in a thousand is missed. A random 32-hex key scores about 3.6 bits
/// per character and a random 32-character base62 token about 4.5, so one floor
/// for both either drops hex keys or keeps English words in camelCase.
public enum RandomnessFloor {
  enum Alphabet {
    case hex, alphanumeric, base64
  }

  static let lengths = [8, 12, 16, 20, 24, 32, 40, 48, 64]
  static let hex = [1.55, 2.13, 2.48, 2.71, 2.87, 3.13, 3.29, 3.40, 3.56]
  static let alphanumeric = [2.16, 2.75, 3.16, 3.48, 3.72, 4.08, 4.33, 4.53, 4.80]
  static let base64 = [2.16, 2.79, 3.16, 3.48, 3.74, 4.11, 4.34, 4.54, 4.83]

  /// The narrowest alphabet the value fits: hex, then letters and digits, then
  /// everything else (base64 and symbols, the widest table).
  static func alphabet(of value: [UInt8]) -> Alphabet {
    let isHex = value.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
    if isHex { return .hex }
    let isAlphanumeric = value.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 122) }
    return isAlphanumeric ? .alphanumeric : .base64
  }

  /// The floor for a value of `length` characters, interpolated between the
  /// measured lengths (and held flat beyond them).
  static func floor(_ alphabet: Alphabet, length: Int) -> Double {
    let table: [Double]
    switch alphabet {
    case .hex: table = hex
    case .alphanumeric: table = alphanumeric
    case .base64: table = base64
    }
    if length <= lengths[0] { return table[0] }
    for i in 1..<lengths.count where length <= lengths[i] {
      let t = Double(length - lengths[i - 1]) / Double(lengths[i] - lengths[i - 1])
      return table[i - 1] + t * (table[i] - table[i - 1])
    }
    return table[table.count - 1]
  }

  public static func passes(_ value: [UInt8]) -> Bool {
    Entropy.shannon(value) >= floor(alphabet(of: value), length: value.count)
  }
}
