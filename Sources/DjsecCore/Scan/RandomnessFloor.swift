/// How random a value must look to pass for a generated credential, by its
/// alphabet and length: the 1st percentile of the Shannon entropy of random
/// strings drawn uniformly from that alphabet (20,000 samples per cell, measured
/// with Python's `secrets` module). A random 32-hex key scores about 3.6 bits
/// per character and a random 32-character base62 token about 4.5, so one floor
/// for both either drops hex keys or keeps English words in camelCase.
enum RandomnessFloor {
  enum Alphabet {
    case hex, alphanumeric, base64
  }

  static let lengths = [8, 12, 16, 20, 24, 32, 40, 48, 64]
  static let hex = [1.91, 2.36, 2.66, 2.90, 3.05, 3.26, 3.41, 3.51, 3.63]
  static let alphanumeric = [2.41, 3.02, 3.33, 3.65, 3.86, 4.20, 4.45, 4.63, 4.90]
  static let base64 = [2.41, 3.02, 3.38, 3.68, 3.89, 4.23, 4.47, 4.66, 4.93]

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

  static func passes(_ value: [UInt8]) -> Bool {
    Entropy.shannon(value) >= floor(alphabet(of: value), length: value.count)
  }
}
