/// Reads Python string expressions out of source bytes, for the rules whose
/// secret may be written in pieces: `SECRET_KEY = ("abc" "def")`,
/// `'abc' + \` newline `'def'`, triple quotes, r/b/u prefixes, and the `\"`
/// quotes of Python source embedded in JSON (Jupyter notebooks).
enum PythonStrings {
  struct Value {
    var bytes: [UInt8]
    /// From the first literal's content to the last one's end.
    var range: Range<Int>
  }

  private static let quote1 = UInt8(ascii: "'")
  private static let quote2 = UInt8(ascii: "\"")
  private static let backslash = UInt8(ascii: "\\")
  private static let newline = UInt8(ascii: "\n")

  /// The string expression starting at `start` (optionally inside parentheses).
  static func expression(in s: UnsafeRawBufferPointer, at start: Int) -> Value? {
    var i = start
    var depth = 0
    skipSpace(s, &i, multiline: false)
    while i < s.count, s[i] == UInt8(ascii: "(") {
      depth += 1
      i += 1
      skipSpace(s, &i, multiline: true)
    }
    return concatenation(s, &i, multiline: depth > 0)
  }

  /// Each string expression element of the list or tuple opening at `start`.
  static func list(in s: UnsafeRawBufferPointer, at start: Int) -> [Value] {
    var i = start
    guard i < s.count, s[i] == UInt8(ascii: "[") || s[i] == UInt8(ascii: "(") else { return [] }
    let close = s[i] == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: ")")
    i += 1
    var values: [Value] = []
    var elements = 0
    while i < s.count, elements < 64 {
      skipSpace(s, &i, multiline: true)
      guard i < s.count, s[i] != close else { break }
      if let v = concatenation(s, &i, multiline: true) {
        values.append(v)
      } else {
        skipElement(s, &i, close: close)
      }
      skipSpace(s, &i, multiline: true)
      if i < s.count, s[i] == UInt8(ascii: ",") { i += 1 }
      elements += 1
    }
    return values
  }

  private static func concatenation(_ s: UnsafeRawBufferPointer, _ i: inout Int, multiline: Bool) -> Value? {
    var bytes: [UInt8] = []
    var first: Int?
    var last = i
    while let (content, range) = literal(s, &i) {
      bytes += content
      if first == nil { first = range.lowerBound }
      last = range.upperBound
      var j = i
      skipSpace(s, &j, multiline: multiline)
      if j < s.count, s[j] == UInt8(ascii: "+") {
        j += 1
        skipSpace(s, &j, multiline: multiline)
      }
      guard j < s.count, startsLiteral(s, j) else { break }
      i = j
    }
    guard let first else { return nil }
    return Value(bytes: bytes, range: first..<last)
  }

  private static func startsLiteral(_ s: UnsafeRawBufferPointer, _ start: Int) -> Bool {
    var i = start
    var prefix = 0
    while i < s.count, prefix < 2, "rRbBuUfF".utf8.contains(s[i]) {
      i += 1
      prefix += 1
    }
    if i < s.count, s[i] == backslash { i += 1 }
    return i < s.count && (s[i] == quote1 || s[i] == quote2)
  }

  /// One literal: its decoded content and the byte range of that content.
  private static func literal(_ s: UnsafeRawBufferPointer, _ i: inout Int) -> ([UInt8], Range<Int>)? {
    var j = i
    var raw = false
    var prefix = 0
    while j < s.count, prefix < 2, "rRbBuUfF".utf8.contains(s[j]) {
      if s[j] == UInt8(ascii: "r") || s[j] == UInt8(ascii: "R") { raw = true }
      j += 1
      prefix += 1
    }
    // `\"` opens a literal of Python source that is itself inside a JSON string.
    var escaped = false
    if j < s.count, s[j] == backslash {
      escaped = true
      j += 1
    }
    guard j < s.count, s[j] == quote1 || s[j] == quote2 else { return nil }
    let q = s[j]
    var triple = false
    if !escaped, j + 2 < s.count, s[j + 1] == q, s[j + 2] == q {
      triple = true
      j += 3
    } else {
      j += 1
    }
    let contentStart = j
    var out: [UInt8] = []
    while j < s.count {
      let c = s[j]
      if escaped {
        if c == backslash, j + 1 < s.count {
          if s[j + 1] == q {
            i = j + 2
            return (out, contentStart..<j)
          }
          // A JSON escape: \\ is one backslash, \n a newline (ends a source line).
          let e = s[j + 1]
          if e == UInt8(ascii: "n") { return nil }
          out.append(e == backslash ? backslash : e)
          j += 2
          continue
        }
        if c == newline { return nil }
        out.append(c)
        j += 1
        continue
      }
      if c == q {
        if !triple {
          i = j + 1
          return (out, contentStart..<j)
        }
        if j + 2 < s.count, s[j + 1] == q, s[j + 2] == q {
          i = j + 3
          return (out, contentStart..<j)
        }
      }
      if c == newline, !triple { return nil }
      if c == backslash, j + 1 < s.count {
        let e = s[j + 1]
        if raw {
          out.append(c)
          out.append(e)
        } else {
          switch e {
          case UInt8(ascii: "n"): out.append(newline)
          case UInt8(ascii: "t"): out.append(UInt8(ascii: "\t"))
          case newline: break
          case backslash, quote1, quote2: out.append(e)
          default:
            // Python keeps unknown escapes as written; \xNN is reported as written too,
            // so the reported secret is the text in the file.
            out.append(c)
            out.append(e)
          }
        }
        j += 2
        continue
      }
      out.append(c)
      j += 1
      if out.count > 4096 { return nil }
    }
    return nil
  }

  /// Spaces and tabs; with `multiline`, also newlines and comments, as inside brackets.
  /// A backslash before a newline always continues the line.
  private static func skipSpace(_ s: UnsafeRawBufferPointer, _ i: inout Int, multiline: Bool) {
    while i < s.count {
      let c = s[i]
      if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") {
        i += 1
      } else if c == backslash, i + 1 < s.count, s[i + 1] == newline || s[i + 1] == UInt8(ascii: "\r") {
        i += 2
      } else if multiline, c == newline {
        i += 1
      } else if multiline, c == UInt8(ascii: "#") {
        while i < s.count, s[i] != newline { i += 1 }
      } else {
        return
      }
    }
  }

  /// Skips a non-literal list element (a call, a name) up to the next top-level comma.
  private static func skipElement(_ s: UnsafeRawBufferPointer, _ i: inout Int, close: UInt8) {
    var depth = 0
    while i < s.count {
      let c = s[i]
      if c == quote1 || c == quote2 {
        if literal(s, &i) == nil { i += 1 }
        continue
      }
      if c == UInt8(ascii: "(") || c == UInt8(ascii: "[") || c == UInt8(ascii: "{") { depth += 1 }
      if c == UInt8(ascii: ")") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") {
        if depth == 0 { return }
        depth -= 1
      }
      if c == UInt8(ascii: ","), depth == 0 { return }
      i += 1
    }
  }
}
