import Foundation

/// The assignments of a hand-written Python settings file, read without
/// running it (`init --import`). Only the plainest form yields a value:
/// `NAME = "..."` or `NAME = '...'` at the top level, on one line, with an
/// optional `r` or `u` prefix and nothing after it but a comment. Anything
/// else (an f-string, bytes, triple quotes, concatenation, a value that
/// spans lines, a name assigned again in an `if` or `try` block) is
/// `.other`: its value is only known by running the file, and a guess would
/// put the wrong secret in the store.
public struct PythonAssignments: Sendable {
  public enum Value: Equatable, Sendable, CustomStringConvertible {
    case string(String)
    /// `True` or `False` (DEBUG, SECURE_SSL_REDIRECT…).
    case bool(Bool)
    /// A list or tuple of plain string literals (ALLOWED_HOSTS, SECRET_KEY_FALLBACKS).
    case strings([String])
    /// A whole number (SECURE_HSTS_SECONDS).
    case integer(Int)
    case other

    /// Never the value: it may be a secret.
    public var description: String {
      switch self {
      case .string(let s): "string(\(s.unicodeScalars.count) characters)"
      case .bool(let b): "bool(\(b))"
      case .strings(let list): "strings(\(list.count))"
      case .integer(let n): "integer(\(n))"
      case .other: "other"
      }
    }
  }

  /// Every name assigned in module scope, in the order first assigned.
  public private(set) var names: [String] = []
  /// What each name ends up holding.
  public private(set) var values: [String: Value] = [:]
  /// Top-level statements that assign no name (imports, `if` blocks, calls).
  public private(set) var otherStatements = 0

  /// nil when `source` is not Python as far as djsec reads it (an
  /// unterminated string or bracket).
  public static func parse(_ source: String) -> PythonAssignments? {
    var scalars = Array(source.unicodeScalars)
    if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
    guard let statements = PythonStatements.split(scalars) else { return nil }
    var result = PythonAssignments()
    // Indented lines under `def`, `class` or a decorator are another scope;
    // under `if`, `try`, `for` or `with` they assign module names.
    var inFunctionOrClass = false
    for statement in statements {
      let kind = Self.classify(statement.text)
      if !statement.indented {
        inFunctionOrClass = kind.opensScope
        switch kind {
        case .assignment(let targets, let value): for name in targets { result.assign(name, value) }
        case .statement: result.otherStatements += 1
        }
      } else if !inFunctionOrClass, case .assignment(let targets, _) = kind {
        for name in targets { result.assign(name, .other) }
      }
    }
    return result
  }

  /// The last assignment in file order decides, as it does when Python runs
  /// the file: a literal after an `if` block that changed the name wins.
  private mutating func assign(_ name: String, _ value: Value) {
    if values[name] == nil { names.append(name) }
    values[name] = value
  }

  enum Kind {
    case assignment(targets: [String], value: Value)
    case statement(opensScope: Bool)

    var opensScope: Bool {
      if case .statement(let opens) = self { return opens }
      return false
    }
  }

  /// What one statement does: assign names (and what), or something else.
  static func classify(_ text: [Unicode.Scalar]) -> Kind {
    var i = 0
    let first = identifier(text, &i)
    guard let first else { return .statement(opensScope: text.first == "@") }
    if ["def", "class", "async"].contains(first) { return .statement(opensScope: true) }
    if SecretName.pythonKeywords.contains(first) { return .statement(opensScope: false) }
    var targets = [first]
    skipBlanks(text, &i)
    // `A, B = ...`
    while i < text.count, text[i] == "," {
      i += 1
      skipBlanks(text, &i)
      guard let next = identifier(text, &i) else { return .statement(opensScope: false) }
      targets.append(next)
      skipBlanks(text, &i)
    }
    guard i < text.count else { return .statement(opensScope: false) }
    // `A: T = ...`, `A += ...`: assigned something djsec does not read.
    if targets.count == 1, text[i] == ":" || augmentedOperator(text, at: i) { return .assignment(targets: targets, value: .other) }
    guard isAssign(text, at: i) else { return .statement(opensScope: false) }
    var rhs = Array(text[(i + 1)...])
    while let first = rhs.first, first == " " || first == "\t" { rhs.removeFirst() }
    // `A = B = ...`: every name is assigned; djsec reads none of them.
    if case .assignment(let more, _) = classify(rhs) { return .assignment(targets: targets + more, value: .other) }
    guard targets.count == 1 else { return .assignment(targets: targets, value: .other) }
    if let value = PythonStringLiteral.decode(rhs[...]) { return .assignment(targets: targets, value: .string(value)) }
    return .assignment(targets: targets, value: PythonLiteralValue.decode(rhs))
  }

  /// An ASCII identifier at `i` (djsec only ever imports ASCII names).
  static func identifier(_ text: [Unicode.Scalar], _ i: inout Int) -> String? {
    let start = i
    while i < text.count, text[i].isASCII, text[i].properties.isAlphabetic || text[i] == "_" || (i > start && ("0"..."9").contains(text[i]))
    {
      i += 1
    }
    // `x"..."`: a string prefix, not a name.
    if i < text.count, text[i] == "\"" || text[i] == "'" { i = start }
    return i > start ? String(String.UnicodeScalarView(text[start..<i])) : nil
  }

  static func skipBlanks(_ text: [Unicode.Scalar], _ i: inout Int) {
    while i < text.count, text[i] == " " || text[i] == "\t" || text[i] == "\u{0C}" { i += 1 }
  }

  /// `=` alone, not `==`.
  static func isAssign(_ text: [Unicode.Scalar], at i: Int) -> Bool {
    text[i] == "=" && (i + 1 == text.count || text[i + 1] != "=")
  }

  /// An augmented assignment operator at `i`: `+=`, `//=`, `**=`, `>>=`, ...
  static func augmentedOperator(_ text: [Unicode.Scalar], at i: Int) -> Bool {
    ["**=", "//=", ">>=", "<<=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@="].contains { op in
      let ops = Array(op.unicodeScalars)
      return i + ops.count <= text.count && Array(text[i..<(i + ops.count)]) == ops
    }
  }
}

/// Python source split into statements: logical lines (a bracket or a
/// backslash continues one; a string may hold a newline only where Python
/// lets it), and `;` between statements on one line. Comments are dropped;
/// string literals are kept as written.
enum PythonStatements {
  struct Statement {
    var text: [Unicode.Scalar]
    /// Whether the line starts with blanks: inside a block.
    var indented: Bool
  }

  static func split(_ s: [Unicode.Scalar]) -> [Statement]? {
    var out: [Statement] = []
    var current: [Unicode.Scalar] = []
    var indented = false
    var atLineStart = true
    var depth = 0
    var i = 0
    func flush() {
      while let last = current.last, last == " " || last == "\t" || last == "\u{0C}" { current.removeLast() }
      if !current.isEmpty { out.append(Statement(text: current, indented: indented)) }
      current = []
    }
    while i < s.count {
      if atLineStart {
        var j = i
        while j < s.count, s[j] == " " || s[j] == "\t" || s[j] == "\u{0C}" { j += 1 }
        // A blank or comment-only line is no statement.
        if j == s.count || s[j] == "\n" || s[j] == "\r" || s[j] == "#" {
          while j < s.count, s[j] != "\n", s[j] != "\r" { j += 1 }
          i = j + 1
          continue
        }
        indented = j > i
        i = j
        atLineStart = false
        continue
      }
      let c = s[i]
      switch c {
      case "#":
        while i < s.count, s[i] != "\n", s[i] != "\r" { i += 1 }
      case "\\" where i + 1 < s.count && (s[i + 1] == "\n" || s[i + 1] == "\r"):
        // A joined line: the value spans lines, which the literal check refuses.
        current.append("\n")
        i += (s[i + 1] == "\r" && i + 2 < s.count && s[i + 2] == "\n") ? 3 : 2
      case "\n", "\r":
        if c == "\r", i + 1 < s.count, s[i + 1] == "\n" { i += 1 }
        i += 1
        if depth == 0 {
          flush()
          atLineStart = true
        } else {
          current.append("\n")
        }
      case ";" where depth == 0:
        flush()
        i += 1
        while i < s.count, s[i] == " " || s[i] == "\t" { i += 1 }
      case "(", "[", "{":
        depth += 1
        current.append(c)
        i += 1
      case ")", "]", "}":
        depth = max(0, depth - 1)
        current.append(c)
        i += 1
      case "'", "\"":
        guard let end = stringEnd(s, from: i) else { return nil }
        current += s[i..<end]
        i = end
      default:
        current.append(c)
        i += 1
      }
    }
    guard depth == 0 else { return nil }
    flush()
    return out
  }

  /// Where the string literal opening at `start` ends (just past its closing
  /// quote), or nil when it never does. A backslash always takes the next
  /// character with it, in raw strings too, as Python's tokenizer does.
  static func stringEnd(_ s: [Unicode.Scalar], from start: Int) -> Int? {
    let quote = s[start]
    let triple = start + 2 < s.count && s[start + 1] == quote && s[start + 2] == quote
    var i = start + (triple ? 3 : 1)
    while i < s.count {
      let c = s[i]
      if c == "\\" {
        i += 2
        continue
      }
      if !triple, c == "\n" || c == "\r" { return nil }
      if c == quote {
        if !triple { return i + 1 }
        if i + 2 < s.count, s[i + 1] == quote, s[i + 2] == quote { return i + 3 }
      }
      i += 1
    }
    return nil
  }
}

/// One Python string literal as the whole right-hand side of an assignment,
/// decoded as Python would: `"..."`, `'...'`, `r"..."`, `u'...'`. Bytes,
/// f-strings, t-strings and triple quotes, a literal spanning lines, one
/// followed by anything (concatenation, `%`, a method call) and `\N{...}`
/// escapes give nil.
enum PythonStringLiteral {
  static func decode(_ rhs: ArraySlice<Unicode.Scalar>) -> String? {
    var text = Array(rhs)
    while let first = text.first, first == " " || first == "\t" || first == "\u{0C}" { text.removeFirst() }
    var i = 0
    var raw = false
    while i < text.count, text[i] != "\"", text[i] != "'" {
      switch text[i] {
      case "r", "R": raw = true
      case "u", "U": break
      default: return nil
      }
      i += 1
    }
    guard i <= 1, i < text.count else { return nil }
    let quote = text[i]
    if i + 2 < text.count, text[i + 1] == quote, text[i + 2] == quote { return nil }
    guard let end = PythonStatements.stringEnd(text, from: i) else { return nil }
    let body = Array(text[(i + 1)..<(end - 1)])
    guard text[end...].allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\u{0C}" }) else { return nil }
    guard !body.contains("\n"), !body.contains("\r") else { return nil }
    return raw ? String(String.UnicodeScalarView(body)) : unescape(body)
  }

  /// Python's escapes in a str literal; an unknown one keeps its backslash, as Python does.
  static func unescape(_ body: [Unicode.Scalar]) -> String? {
    var out = String.UnicodeScalarView()
    var i = 0
    /// The `count` hex digits after `body[i]`, as one scalar.
    func hex(_ count: Int) -> Unicode.Scalar? {
      guard i + 1 + count <= body.count else { return nil }
      let digits = String(String.UnicodeScalarView(body[(i + 1)...(i + count)]))
      guard digits.unicodeScalars.allSatisfy({ $0.properties.isASCIIHexDigit }), let v = UInt32(digits, radix: 16) else { return nil }
      return Unicode.Scalar(v)
    }
    while i < body.count {
      let c = body[i]
      guard c == "\\", i + 1 < body.count else {
        out.append(c)
        i += 1
        continue
      }
      i += 1
      let e = body[i]
      switch e {
      case "\\", "'", "\"": out.append(e)
      case "a": out.append("\u{07}")
      case "b": out.append("\u{08}")
      case "f": out.append("\u{0C}")
      case "n": out.append("\n")
      case "r": out.append("\r")
      case "t": out.append("\t")
      case "v": out.append("\u{0B}")
      case "0"..."7":
        var value: UInt32 = 0
        var n = 0
        while n < 3, i < body.count, ("0"..."7").contains(body[i]) {
          value = value * 8 + (body[i].value - 48)
          i += 1
          n += 1
        }
        guard let scalar = Unicode.Scalar(value) else { return nil }
        out.append(scalar)
        continue
      case "x", "u", "U":
        let count = e == "x" ? 2 : e == "u" ? 4 : 8
        guard let scalar = hex(count) else { return nil }
        out.append(scalar)
        i += count
      case "N": return nil
      default:
        out.append("\\")
        out.append(e)
      }
      i += 1
    }
    return String(out)
  }
}

/// The other literals settings hold, read without running the file: `True`,
/// `False`, a whole number, and a list or tuple of plain string literals.
/// Anything else (a call, a name, a comprehension) is `.other`.
enum PythonLiteralValue {
  static func decode(_ rhs: [Unicode.Scalar]) -> PythonAssignments.Value {
    let text = String(String.UnicodeScalarView(rhs)).trimmingCharacters(in: .whitespaces)
    switch text {
    case "True": return .bool(true)
    case "False": return .bool(false)
    default: break
    }
    if let n = Int(text.replacingOccurrences(of: "_", with: "")), !text.hasPrefix("_") { return .integer(n) }
    let scalars = Array(text.unicodeScalars)
    guard let open = scalars.first, let close = scalars.last, (open == "[" && close == "]") || (open == "(" && close == ")") else {
      return .other
    }
    var items: [String] = []
    var start = 1
    var i = 1
    let end = scalars.count - 1
    var commas = 0
    while i <= end {
      if i < end, scalars[i] == "\"" || scalars[i] == "'" {
        guard let close = PythonStatements.stringEnd(scalars, from: i) else { return .other }
        i = close
        continue
      }
      if i < end, scalars[i] == "," { commas += 1 }
      if i == end || scalars[i] == "," {
        let element = String(String.UnicodeScalarView(scalars[start..<i])).trimmingCharacters(in: .whitespacesAndNewlines)
        if !element.isEmpty {
          guard let value = PythonStringLiteral.decode(Array(element.unicodeScalars)[...]) else { return .other }
          items.append(value)
        } else if i < end {
          return .other
        }
        start = i + 1
      }
      i += 1
    }
    // `("x")` is a string in parentheses, not a tuple: a tuple has a comma.
    if open == "(", commas == 0, !items.isEmpty { return .other }
    return .strings(items)
  }
}
