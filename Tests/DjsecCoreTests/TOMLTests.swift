import DjsecCore
import XCTest

/// The TOML reader (Config/TOML.swift): what TOML 1.0 says must parse does,
/// with the values it says; what it forbids is an error naming the line.
final class TOMLTests: XCTestCase {
  private func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> TOMLTable? {
    do { return try TOML.parse(text) } catch {
      XCTFail("line \(error.line): \(error.reason)\n\(text)", file: file, line: line)
      return nil
    }
  }

  func testValuesOfEveryKind() throws {
    let t = try XCTUnwrap(
      parse(
        #"""
        # a comment
        bare-key_1 = "basic \"quoted\" \t tab \u00e9 \U0001F600"
        "quoted key" = 'literal \no escapes'
        dotted.inner.key = 1_000
        hex = 0xDEAD_beef
        oct = 0o755
        bin = 0b1010
        neg = -17
        float = 6.626e-34
        exp = 1E6
        frac = +0.5
        infinite = -inf
        yes = true
        no = false
        regex = '''(?i)\b(?:acme)[_-]key['"]?\s*=\s*(\w{32})'''
        multi = """
        one \
          two
        three"""
        lit = '''
        first
        '' two quotes'''
        quotes = """ends with two quotes"" """
        array = [ 1, 2,
          3, # a comment inside
        ]
        nested = [[1, 2], ["a"], [{ x = 1 }]]
        inline = { a = 1, b.c = "d" }
        empty = {}

        [table]
        key = "value"

        [table.sub]
        deep = true

        [[rules]]
        id = "a"
        [[rules.allowlists]]
        paths = ["x"]
        [[rules]]
        id = "b"
        """#))
    XCTAssertEqual(t["bare-key_1"], .string("basic \"quoted\" \t tab é 😀"))
    XCTAssertEqual(t["quoted key"], .string(#"literal \no escapes"#))
    guard case .table(let dotted) = t["dotted"], case .table(let inner) = dotted["inner"] else { return XCTFail("dotted") }
    XCTAssertEqual(inner["key"], .integer(1000))
    XCTAssertEqual(t["hex"], .integer(0xDEAD_BEEF))
    XCTAssertEqual(t["oct"], .integer(0o755))
    XCTAssertEqual(t["bin"], .integer(10))
    XCTAssertEqual(t["neg"], .integer(-17))
    XCTAssertEqual(t["float"], .float(6.626e-34))
    XCTAssertEqual(t["exp"], .float(1e6))
    XCTAssertEqual(t["frac"], .float(0.5))
    XCTAssertEqual(t["infinite"], .float(-.infinity))
    XCTAssertEqual(t["yes"], .bool(true))
    XCTAssertEqual(t["no"], .bool(false))
    XCTAssertEqual(t["regex"], .string(#"(?i)\b(?:acme)[_-]key['"]?\s*=\s*(\w{32})"#))
    XCTAssertEqual(t["multi"], .string("one two\nthree"))
    XCTAssertEqual(t["lit"], .string("first\n'' two quotes"))
    XCTAssertEqual(t["quotes"], .string("ends with two quotes\"\" "))
    XCTAssertEqual(t["array"], .array([.integer(1), .integer(2), .integer(3)]))
    guard case .array(let nested) = t["nested"], nested.count == 3 else { return XCTFail("nested") }
    guard case .table(let inline) = t["inline"], case .table(let b) = inline["b"] else { return XCTFail("inline") }
    XCTAssertEqual(inline["a"], .integer(1))
    XCTAssertEqual(b["c"], .string("d"))
    guard case .table(let empty) = t["empty"] else { return XCTFail("empty") }
    XCTAssertEqual(empty.keys, [])
    guard case .table(let table) = t["table"], case .table(let sub) = table["sub"] else { return XCTFail("table") }
    XCTAssertEqual(table["key"], .string("value"))
    XCTAssertEqual(sub["deep"], .bool(true))
    guard case .array(let rules) = t["rules"], rules.count == 2, case .table(let first) = rules[0] else { return XCTFail("rules") }
    XCTAssertEqual(first["id"], .string("a"))
    guard case .array(let lists) = first["allowlists"], lists.count == 1 else { return XCTFail("allowlists") }
    XCTAssertEqual(t.lines["hex"], 5, "each key keeps its line")
  }

  func testTablesMayBeDefinedOutOfOrderAndAfterTheirChildren() {
    XCTAssertNotNil(parse("[a.b.c]\nx = 1\n[a]\ny = 2\n[a.d]\nz = 3\n"))
    XCTAssertNotNil(parse("[fruit]\napple.color = \"red\"\n[fruit.apple.texture]\nsmooth = true\n"))
    XCTAssertNotNil(parse("a = 1\r\nb = 2\r\n"), "CRLF line ends")
  }

  /// Each must fail, naming the line it fails on.
  func testMustFailVectors() {
    let vectors: [(String, Int, String)] = [
      ("a = 1\na = 2\n", 2, "a key defined twice"),
      ("[a]\n[a]\n", 2, "a table defined twice"),
      ("[a]\nb = 1\n[a.b]\n", 3, "a table over a value"),
      ("a = {}\n[a]\n", 2, "a table over an inline table"),
      ("a = { b = 1 }\n[a.c]\n", 2, "adding to an inline table"),
      ("a.b = 1\n[a]\n", 2, "a header over a dotted-key table"),
      ("a = []\n[[a]]\n", 2, "an array of tables over a static array"),
      ("[[a]]\n[a]\n", 2, "a table over an array of tables"),
      ("a = \"unterminated\n", 1, "an unterminated string"),
      ("a = 'unterminated\n", 1, "an unterminated literal"),
      ("a = \"\"\"never closed\n", 1, "an unterminated multi-line string"),
      ("a = 1\nb = '''never\nclosed\n", 2, "an unterminated multi-line literal"),
      ("x = 1\na = \"bad \\q escape\"\n", 2, "an unknown escape"),
      ("a = \"\\u12\"\n", 1, "a short unicode escape"),
      ("a = \"\\uD800\"\n", 1, "a surrogate"),
      ("a = 012\n", 1, "a leading zero"),
      ("a = 1__000\n", 1, "a double underscore"),
      ("a = _1\n", 1, "a leading underscore"),
      ("a = 1_\n", 1, "a trailing underscore"),
      ("a = 0xG1\n", 1, "a bad hex digit"),
      ("a = .5\n", 1, "a float without a whole part"),
      ("a = 5.\n", 1, "a float without a fraction"),
      ("a = 1e\n", 1, "an empty exponent"),
      ("a = bare\n", 1, "an unquoted string"),
      ("a = TRUE\n", 1, "booleans are lower case"),
      ("a =\n", 1, "a missing value"),
      ("= 1\n", 1, "a missing key"),
      ("a b = 1\n", 1, "a space in a bare key"),
      ("a = 1 b = 2\n", 1, "two pairs on one line"),
      ("a = [1 2]\n", 1, "an array without a comma"),
      ("a = [1,,2]\n", 1, "an array with an empty element"),
      ("a = { b = 1, }\n", 1, "a trailing comma in an inline table"),
      ("a = { b = 1\n}\n", 1, "an inline table over two lines"),
      ("a = { b = 1, b = 2 }\n", 1, "a key twice in an inline table"),
      ("[a\n", 1, "an unclosed header"),
      ("[[a]\n", 1, "an unclosed array-of-tables header"),
      ("[]\n", 1, "an empty header"),
      ("a = 1979-05-27\n", 1, "a date (not read by djsec)"),
      ("a = 07:32:00\n", 1, "a time (not read by djsec)"),
      ("a = \"tab\u{1}\"\n", 1, "a control character"),
      ("# fine\n\n\na = \"\"\"x\"\"\" y\n", 4, "text after a value"),
      ("\"\"\"key\"\"\" = 1\n", 1, "a multi-line key"),
    ]
    for (text, line, why) in vectors {
      do {
        let parsed = try TOML.parse(text)
        XCTFail("\(why): parsed as \(parsed)")
      } catch {
        XCTAssertEqual(error.line, line, "\(why): \(error.reason)")
        XCTAssertFalse(error.reason.isEmpty, why)
      }
    }
  }
}
