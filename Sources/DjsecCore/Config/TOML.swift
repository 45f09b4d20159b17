// A strict reader of TOML 1.0 (https://toml.io/en/v1.0.0) for `.djsec.toml`
// and gitleaks rule files, written here rather than taken from a package:
// the one TOML package the Swift mirror holds (LebJe/TOMLKit) wraps a C++
// library and depends on a package the mirror does not have, so it cannot
// even resolve. This reader covers the whole language but dates and times
// (no djsec or gitleaks setting takes one): such a value is an error naming
// its line, never a silent misreading. Everything else TOML forbids is an
// error too (a key defined twice, a table reopened, a bad escape, an integer
// with a leading zero): Tests/DjsecCoreTests/TOMLTests.swift holds the
// must-fail vectors beside the must-pass ones.

/// A TOML value. Tables keep their keys' order and the line each key was set on,
/// so a configuration error can name the line.
public indirect enum TOMLValue: Equatable, Sendable {
  case string(String)
  case integer(Int)
  case float(Double)
  case bool(Bool)
  case array([TOMLValue])
  case table(TOMLTable)

  /// How a type is named in errors ("a string", "an array").
  public var kind: String {
    switch self {
    case .string: "a string"
    case .integer: "an integer"
    case .float: "a number"
    case .bool: "true or false"
    case .array: "an array"
    case .table: "a table"
    }
  }
}

public struct TOMLTable: Equatable, Sendable {
  public var keys: [String] = []
  public var values: [String: TOMLValue] = [:]
  /// The line each key was set on (1-based).
  public var lines: [String: Int] = [:]
  /// The line of the table's header (0 for the root).
  public var line = 0

  public init() {}

  public subscript(key: String) -> TOMLValue? { values[key] }
}

public struct TOMLError: Error, Equatable, Sendable {
  public var line: Int
  public var reason: String
}

public enum TOML {
  public static func parse(_ text: String) throws(TOMLError) -> TOMLTable {
    var parser = Parser(Array(text.utf8))
    return try parser.document()
  }

  /// A table while it is being built: reference semantics so that headers and
  /// dotted keys can reach into it, and what made it, which decides what may
  /// still add to it.
  fileprivate final class Node {
    enum Origin {
      /// Made by `[a.b]` for `a`: `[a]` may still come once.
      case implicit
      /// Its own `[header]` or `[[header]]`.
      case header
      /// Made by a dotted key (`a.b = 1`): closed to headers.
      case dotted
      /// `{ … }`: closed to everything after it.
      case inline
    }
    enum Slot {
      case value(TOMLValue)
      case table(Node)
      case tables([Node])
    }
    var origin: Origin
    var line: Int
    var keys: [String] = []
    var slots: [String: Slot] = [:]
    var lines: [String: Int] = [:]

    init(_ origin: Origin, line: Int) {
      self.origin = origin
      self.line = line
    }

    func set(_ key: String, _ slot: Slot, line: Int) {
      if slots[key] == nil { keys.append(key) }
      slots[key] = slot
      lines[key] = line
    }

    var value: TOMLTable {
      var table = TOMLTable()
      table.line = line
      for key in keys {
        switch slots[key]! {
        case .value(let v): table.values[key] = v
        case .table(let n): table.values[key] = .table(n.value)
        case .tables(let ns): table.values[key] = .array(ns.map { .table($0.value) })
        }
        table.keys.append(key)
        table.lines[key] = lines[key]
      }
      return table
    }
  }

  fileprivate struct Parser {
    let bytes: [UInt8]
    var at = 0
    var line = 1

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func fail(_ reason: String) -> TOMLError { TOMLError(line: line, reason: reason) }

    var peek: UInt8? { at < bytes.count ? bytes[at] : nil }
    func peek(_ offset: Int) -> UInt8? { at + offset < bytes.count ? bytes[at + offset] : nil }

    mutating func document() throws(TOMLError) -> TOMLTable {
      let root = Node(.header, line: 0)
      var current = root
      while true {
        skipBlankLines()
        guard let c = peek else { break }
        if c == UInt8(ascii: "[") {
          current = try header(root)
        } else {
          try keyValue(into: current)
        }
        try endOfLine()
      }
      return root.value
    }

    // MARK: lines and whitespace

    mutating func skipSpaces() {
      while let c = peek, c == 0x20 || c == 0x09 { at += 1 }
    }

    mutating func skipComment() throws(TOMLError) {
      guard peek == UInt8(ascii: "#") else { return }
      while let c = peek, c != 0x0A {
        if c == 0x0D, peek(1) == 0x0A { break }
        if (c < 0x20 && c != 0x09) || c == 0x7F { throw fail("a control character in a comment") }
        at += 1
      }
    }

    mutating func newline() -> Bool {
      if peek == 0x0A {
        at += 1
        line += 1
        return true
      }
      if peek == 0x0D, peek(1) == 0x0A {
        at += 2
        line += 1
        return true
      }
      return false
    }

    mutating func skipBlankLines() {
      while true {
        skipSpaces()
        if peek == UInt8(ascii: "#") { try? skipComment() }
        if !newline() { return }
      }
    }

    mutating func endOfLine() throws(TOMLError) {
      skipSpaces()
      try skipComment()
      if peek == nil { return }
      guard newline() else { throw fail("expected the end of the line, found \(describe(peek))") }
    }

    /// Whitespace, newlines and comments inside an array.
    mutating func skipArraySpace() throws(TOMLError) {
      while true {
        skipSpaces()
        try skipComment()
        if !newline() { return }
      }
    }

    func describe(_ c: UInt8?) -> String {
      guard let c else { return "the end of the file" }
      if c >= 0x21 && c < 0x7F { return "'\(Character(UnicodeScalar(c)))'" }
      return c == 0x20 ? "a space" : "byte 0x\(String(c, radix: 16))"
    }

    // MARK: keys

    mutating func key() throws(TOMLError) -> [String] {
      var parts: [String] = []
      while true {
        skipSpaces()
        parts.append(try simpleKey())
        skipSpaces()
        guard peek == UInt8(ascii: ".") else { return parts }
        at += 1
      }
    }

    mutating func simpleKey() throws(TOMLError) -> String {
      switch peek {
      case UInt8(ascii: "\""):
        if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") { throw fail("a key cannot be a multi-line string") }
        return try basicString()
      case UInt8(ascii: "'"):
        if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") { throw fail("a key cannot be a multi-line string") }
        return try literalString()
      default:
        let start = at
        while let c = peek, isBareKey(c) { at += 1 }
        guard at > start else { throw fail("expected a key, found \(describe(peek))") }
        return String(decoding: bytes[start..<at], as: UTF8.self)
      }
    }

    func isBareKey(_ c: UInt8) -> Bool {
      (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D
    }

    // MARK: tables

    mutating func header(_ root: Node) throws(TOMLError) -> Node {
      let array = peek(1) == UInt8(ascii: "[")
      at += array ? 2 : 1
      let path = try key()
      guard peek == UInt8(ascii: "]"), !array || peek(1) == UInt8(ascii: "]") else {
        throw fail("expected '\(array ? "]]" : "]")' to close the table header")
      }
      at += array ? 2 : 1
      let name = path.joined(separator: ".")
      var node = root
      for part in path.dropLast() {
        switch node.slots[part] {
        case nil:
          let made = Node(.implicit, line: line)
          node.set(part, .table(made), line: line)
          node = made
        case .table(let next):
          if next.origin == .inline { throw fail("[\(name)] adds to an inline table, which is complete where it is written") }
          node = next
        case .tables(let list):
          node = list[list.count - 1]
        case .value:
          throw fail("[\(name)]: \(part) is already a value, not a table")
        }
      }
      let last = path[path.count - 1]
      if array {
        switch node.slots[last] {
        case nil:
          let made = Node(.header, line: line)
          node.set(last, .tables([made]), line: line)
          return made
        case .tables(let list):
          let made = Node(.header, line: line)
          node.slots[last] = .tables(list + [made])
          return made
        default:
          throw fail("[[\(name)]]: \(name) is already defined as something other than an array of tables")
        }
      }
      switch node.slots[last] {
      case nil:
        let made = Node(.header, line: line)
        node.set(last, .table(made), line: line)
        return made
      case .table(let existing) where existing.origin == .implicit:
        existing.origin = .header
        existing.line = line
        return existing
      default:
        throw fail("[\(name)] is defined twice")
      }
    }

    // MARK: key/value pairs

    mutating func keyValue(into table: Node) throws(TOMLError) {
      let keyLine = line
      let path = try key()
      guard peek == UInt8(ascii: "=") else { throw fail("expected '=' after the key \(path.joined(separator: "."))") }
      at += 1
      skipSpaces()
      let value = try self.value()
      var node = table
      for part in path.dropLast() {
        switch node.slots[part] {
        case nil:
          let made = Node(.dotted, line: keyLine)
          node.set(part, .table(made), line: keyLine)
          node = made
        case .table(let next) where next.origin == .dotted:
          node = next
        default:
          throw fail("\(path.joined(separator: ".")): \(part) is already defined")
        }
      }
      let last = path[path.count - 1]
      guard node.slots[last] == nil else { throw TOMLError(line: keyLine, reason: "\(path.joined(separator: ".")) is defined twice") }
      node.set(last, value, line: keyLine)
    }

    // MARK: values

    mutating func value() throws(TOMLError) -> Node.Slot {
      switch peek {
      case UInt8(ascii: "\""):
        if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") { return .value(.string(try multiLineBasicString())) }
        return .value(.string(try basicString()))
      case UInt8(ascii: "'"):
        if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") { return .value(.string(try multiLineLiteralString())) }
        return .value(.string(try literalString()))
      case UInt8(ascii: "["):
        return .value(try array())
      case UInt8(ascii: "{"):
        return .table(try inlineTable())
      case nil:
        throw fail("expected a value, found the end of the file")
      default:
        return .value(try scalar())
      }
    }

    mutating func plainValue() throws(TOMLError) -> TOMLValue {
      switch try value() {
      case .value(let v): return v
      case .table(let node): return .table(node.value)
      case .tables: throw fail("unexpected array of tables")
      }
    }

    mutating func array() throws(TOMLError) -> TOMLValue {
      at += 1
      var items: [TOMLValue] = []
      while true {
        try skipArraySpace()
        if peek == UInt8(ascii: "]") {
          at += 1
          return .array(items)
        }
        items.append(try plainValue())
        try skipArraySpace()
        switch peek {
        case UInt8(ascii: ","): at += 1
        case UInt8(ascii: "]"):
          at += 1
          return .array(items)
        default: throw fail("expected ',' or ']' in an array, found \(describe(peek))")
        }
      }
    }

    mutating func inlineTable() throws(TOMLError) -> Node {
      let node = Node(.implicit, line: line)
      at += 1
      skipSpaces()
      if peek == UInt8(ascii: "}") {
        at += 1
        node.origin = .inline
        return node
      }
      while true {
        try keyValue(into: node)
        skipSpaces()
        switch peek {
        case UInt8(ascii: ","):
          at += 1
          skipSpaces()
          if peek == UInt8(ascii: "}") { throw fail("a trailing comma is not allowed in an inline table") }
        case UInt8(ascii: "}"):
          at += 1
          close(node)
          return node
        default:
          throw fail("expected ',' or '}' in an inline table, found \(describe(peek)) (inline tables are one line)")
        }
      }
    }

    /// An inline table and every table inside it are complete.
    func close(_ node: Node) {
      node.origin = .inline
      for slot in node.slots.values { if case .table(let inner) = slot { close(inner) } }
    }

    // MARK: strings

    mutating func basicString() throws(TOMLError) -> String {
      at += 1
      var out: [UInt8] = []
      while true {
        guard let c = peek else { throw fail("a string is not closed") }
        switch c {
        case UInt8(ascii: "\""):
          at += 1
          return try utf8(out)
        case UInt8(ascii: "\\"):
          out += try escape()
        case 0x0A, 0x0D:
          throw fail("a string is not closed on its line (use \"\"\" for several lines)")
        default:
          if (c < 0x20 && c != 0x09) || c == 0x7F { throw fail("a control character in a string: escape it") }
          out.append(c)
          at += 1
        }
      }
    }

    mutating func multiLineBasicString() throws(TOMLError) -> String {
      let opened = line
      at += 3
      _ = newline()
      var out: [UInt8] = []
      while true {
        guard let c = peek else { throw TOMLError(line: opened, reason: "a \"\"\" string opened here is not closed") }
        if c == UInt8(ascii: "\""), peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") {
          // Up to two quotes may end the content right before the closing three.
          var quotes = 3
          while quotes < 5, peek(quotes) == UInt8(ascii: "\"") { quotes += 1 }
          out += Array(repeating: UInt8(ascii: "\""), count: quotes - 3)
          at += quotes
          return try utf8(out)
        }
        if c == UInt8(ascii: "\\") {
          // A backslash at the end of a line trims the newline and the whitespace after it.
          var look = at + 1
          while look < bytes.count, bytes[look] == 0x20 || bytes[look] == 0x09 { look += 1 }
          if look < bytes.count, bytes[look] == 0x0A || bytes[look] == 0x0D {
            at = look
            while true {
              skipSpaces()
              if !newline() { break }
            }
            continue
          }
          out += try escape()
          continue
        }
        if newline() {
          out.append(0x0A)
          continue
        }
        if (c < 0x20 && c != 0x09) || c == 0x7F { throw fail("a control character in a string: escape it") }
        out.append(c)
        at += 1
      }
    }

    mutating func literalString() throws(TOMLError) -> String {
      at += 1
      let start = at
      while true {
        guard let c = peek else { throw fail("a string is not closed") }
        if c == UInt8(ascii: "'") {
          let text = try utf8(Array(bytes[start..<at]))
          at += 1
          return text
        }
        if c == 0x0A || c == 0x0D { throw fail("a string is not closed on its line (use ''' for several lines)") }
        if (c < 0x20 && c != 0x09) || c == 0x7F { throw fail("a control character in a literal string") }
        at += 1
      }
    }

    mutating func multiLineLiteralString() throws(TOMLError) -> String {
      let opened = line
      at += 3
      _ = newline()
      var out: [UInt8] = []
      while true {
        guard let c = peek else { throw TOMLError(line: opened, reason: "a ''' string opened here is not closed") }
        if c == UInt8(ascii: "'"), peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") {
          var quotes = 3
          while quotes < 5, peek(quotes) == UInt8(ascii: "'") { quotes += 1 }
          out += Array(repeating: UInt8(ascii: "'"), count: quotes - 3)
          at += quotes
          return try utf8(out)
        }
        if newline() {
          out.append(0x0A)
          continue
        }
        if (c < 0x20 && c != 0x09) || c == 0x7F { throw fail("a control character in a literal string") }
        out.append(c)
        at += 1
      }
    }

    mutating func escape() throws(TOMLError) -> [UInt8] {
      at += 1
      guard let c = peek else { throw fail("a string ends in a backslash") }
      at += 1
      switch c {
      case UInt8(ascii: "b"): return [0x08]
      case UInt8(ascii: "t"): return [0x09]
      case UInt8(ascii: "n"): return [0x0A]
      case UInt8(ascii: "f"): return [0x0C]
      case UInt8(ascii: "r"): return [0x0D]
      case UInt8(ascii: "\""): return [0x22]
      case UInt8(ascii: "\\"): return [0x5C]
      case UInt8(ascii: "u"), UInt8(ascii: "U"):
        let count = c == UInt8(ascii: "u") ? 4 : 8
        guard at + count <= bytes.count, let code = UInt32(String(decoding: bytes[at..<(at + count)], as: UTF8.self), radix: 16),
          bytes[at..<(at + count)].allSatisfy({ hexDigit($0) }), let scalar = Unicode.Scalar(code)
        else { throw fail("\\\(Character(UnicodeScalar(c))) needs \(count) hex digits naming a Unicode scalar value") }
        at += count
        return Array(String(Character(scalar)).utf8)
      default:
        throw fail("unknown escape \\\(describe(c)) (a regular expression reads better in '''literal''' quotes)")
      }
    }

    func hexDigit(_ c: UInt8) -> Bool {
      (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
    }

    func utf8(_ bytes: [UInt8]) throws(TOMLError) -> String {
      guard let text = String(validating: bytes, as: UTF8.self) else { throw fail("a string is not valid UTF-8") }
      return text
    }

    // MARK: numbers and booleans

    mutating func scalar() throws(TOMLError) -> TOMLValue {
      let start = at
      while let c = peek, !(c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x2C || c == 0x5D || c == 0x7D || c == 0x23) {
        at += 1
      }
      let word = String(decoding: bytes[start..<at], as: UTF8.self)
      switch word {
      case "true": return .bool(true)
      case "false": return .bool(false)
      case "inf", "+inf": return .float(.infinity)
      case "-inf": return .float(-.infinity)
      case "nan", "+nan", "-nan": return .float(.nan)
      case "": throw fail("expected a value, found \(describe(peek))")
      default: break
      }
      // 1979-05-27 (a date) or 07:32:00 (a time): four digits and '-', or two digits and ':'.
      let chars = Array(word.utf8)
      func isDigits(_ r: Range<Int>) -> Bool { r.upperBound <= chars.count && chars[r].allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
      if (isDigits(0..<4) && chars.count > 4 && chars[4] == UInt8(ascii: "-"))
        || (isDigits(0..<2) && chars.count > 2 && chars[2] == UInt8(ascii: ":"))
      {
        throw fail("\(word): dates and times are not read by djsec (no setting takes one)")
      }
      if let integer = Self.integer(word) { return .integer(integer) }
      if let float = Self.float(word) { return .float(float) }
      throw fail("\(word) is not a TOML value (strings need quotes)")
    }

    /// Underscores only between digits.
    static func digits(_ text: Substring, _ isDigit: (Character) -> Bool) -> String? {
      guard let first = text.first, let last = text.last, isDigit(first), isDigit(last) else { return nil }
      var previous: Character = "_"
      var out = ""
      for c in text {
        if c == "_" {
          guard previous != "_" else { return nil }
        } else {
          guard isDigit(c) else { return nil }
          out.append(c)
        }
        previous = c
      }
      return out
    }

    static func integer(_ word: String) -> Int? {
      let radixes: [(String, Int)] = [("0x", 16), ("0o", 8), ("0b", 2)]
      for (prefix, radix) in radixes where word.hasPrefix(prefix) {
        guard let d = digits(word.dropFirst(2), { $0.isHexDigit && Int(String($0), radix: radix) != nil }) else { return nil }
        return Int(d, radix: radix)
      }
      var body = Substring(word)
      var sign = ""
      if let s = body.first, s == "+" || s == "-" {
        sign = s == "-" ? "-" : ""
        body = body.dropFirst()
      }
      guard let d = digits(body, { $0.isASCII && $0.isNumber }) else { return nil }
      if d.count > 1, d.hasPrefix("0") { return nil }
      return Int(sign + d)
    }

    static func float(_ word: String) -> Double? {
      var body = Substring(word)
      var sign = ""
      if let s = body.first, s == "+" || s == "-" {
        sign = String(s)
        body = body.dropFirst()
      }
      let lowered = body.lowercased()
      let exponentSplit = lowered.split(separator: "e", maxSplits: 1, omittingEmptySubsequences: false)
      let mantissa = exponentSplit[0]
      let parts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
      let isDigit: (Character) -> Bool = { $0.isASCII && $0.isNumber }
      guard let whole = digits(parts[0], isDigit), !(whole.count > 1 && whole.hasPrefix("0")) else { return nil }
      var text = sign + whole
      if parts.count == 2 {
        guard let fraction = digits(parts[1], isDigit) else { return nil }
        text += "." + fraction
      }
      if exponentSplit.count == 2 {
        var exponent = exponentSplit[1]
        var exponentSign = ""
        if let s = exponent.first, s == "+" || s == "-" {
          exponentSign = String(s)
          exponent = exponent.dropFirst()
        }
        guard let e = digits(exponent, isDigit) else { return nil }
        text += "e" + exponentSign + e
      }
      guard parts.count == 2 || exponentSplit.count == 2 else { return nil }
      return Double(text)
    }
  }
}
