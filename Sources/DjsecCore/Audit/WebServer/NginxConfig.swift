import Foundation

/// nginx's configuration syntax, as nginx's own reader (ngx_conf_file.c)
/// takes it: words separated by blanks, `"…"` and `'…'` quoting with
/// backslash escapes, `#` starting a comment at the start of a word, each
/// simple directive ended by `;`, a block directive's body in `{ }`, and
/// `include` (wildcards allowed) read in place, relative to the prefix folder
/// (the main file's folder, where nginx looks too). Only reads: djsec never
/// evaluates variables or `if`.
public enum NginxConfig {
  /// The directives of `text`, each block directive before its body, with
  /// `context` the blocks the text itself sits in (an included file inherits
  /// its include's). `include` lines are returned like any directive.
  public static func parse(_ text: String, file: URL, context: [String] = []) throws(WebServerConfigError) -> [ServerDirective] {
    var reader = Reader(text: Array(text.unicodeScalars), file: file)
    var out: [ServerDirective] = []
    var blocks: [String] = []
    var words: [String] = []
    var firstLine = 0
    while let token = try reader.next() {
      switch token {
      case .word(let w, let line):
        if words.isEmpty { firstLine = line }
        words.append(w)
      case .semicolon(let line), .open(let line):
        guard let name = words.first else { throw reader.error(line, "unexpected \"\(token.symbol)\"") }
        out.append(ServerDirective(name: name, arguments: Array(words.dropFirst()), file: file, line: firstLine, context: context + blocks))
        if case .open = token { blocks.append(words.joined(separator: " ")) }
        words = []
      case .close(let line):
        guard words.isEmpty else { throw reader.error(line, "unexpected \"}\": \"\(words[0])\" is not ended by \";\"") }
        guard blocks.popLast() != nil else { throw reader.error(line, "unexpected \"}\"") }
      }
    }
    if !words.isEmpty { throw reader.error(reader.line, "unexpected end of file, expecting \";\" or \"}\"") }
    if !blocks.isEmpty { throw reader.error(reader.line, "unexpected end of file, expecting \"}\"") }
    return out
  }

  /// `file` with every `include` read in its place (and left out), relative
  /// paths against `prefix` (default: `file`'s folder), absolute ones under `hostRoot`.
  public static func load(_ file: URL, prefix: URL? = nil, hostRoot: URL = URL(fileURLWithPath: "/")) throws(WebServerConfigError)
    -> LoadedConfig
  {
    let prefix = prefix ?? file.deletingLastPathComponent()
    var walker = IncludeWalker(hostRoot: hostRoot)
    return LoadedConfig(directives: try load(file, context: [], from: nil, prefix: prefix, walker: &walker), base: prefix)
  }

  private static func load(_ file: URL, context: [String], from: ServerDirective?, prefix: URL, walker: inout IncludeWalker)
    throws(WebServerConfigError) -> [ServerDirective]
  {
    try walker.enter(file, from: from)
    defer { walker.leave() }
    var out: [ServerDirective] = []
    for d in try parse(IncludeWalker.read(file), file: file, context: context) {
      guard d.name == "include" else {
        out.append(d)
        continue
      }
      guard d.arguments.count == 1 else {
        throw .syntax(file: file.path, line: d.line, reason: "invalid number of arguments in \"include\" directive")
      }
      let pattern = walker.resolve(d.arguments[0], base: prefix)
      let files = walker.expand(pattern, folders: false)
      // nginx refuses a missing file but accepts a wildcard that matches nothing.
      if files.isEmpty, !d.arguments[0].contains(where: { "*?[".contains($0) }) {
        throw .includeNotFound(file: file.path, line: d.line, included: pattern.path)
      }
      for included in files { out += try load(included, context: d.context, from: d, prefix: prefix, walker: &walker) }
    }
    return out
  }

  enum Token {
    case word(String, line: Int)
    case semicolon(line: Int)
    case open(line: Int)
    case close(line: Int)

    var symbol: String {
      switch self {
      case .word(let w, _): w
      case .semicolon: ";"
      case .open: "{"
      case .close: "}"
      }
    }
  }

  /// The tokens of one file, with their lines.
  struct Reader {
    let text: [Unicode.Scalar]
    let file: URL
    var at = 0
    var line = 1

    init(text: [Unicode.Scalar], file: URL) {
      self.text = text
      self.file = file
    }

    func error(_ line: Int, _ reason: String) -> WebServerConfigError { .syntax(file: file.path, line: line, reason: reason) }

    mutating func next() throws(WebServerConfigError) -> Token? {
      skipBlanksAndComments()
      guard at < text.count else { return nil }
      let c = text[at]
      switch c {
      case ";":
        at += 1
        return .semicolon(line: line)
      case "{":
        at += 1
        return .open(line: line)
      case "}":
        at += 1
        return .close(line: line)
      case "\"", "'":
        return try quoted(c)
      default:
        return .word(bare(), line: line)
      }
    }

    private mutating func skipBlanksAndComments() {
      while at < text.count {
        let c = text[at]
        if c == "\n" {
          line += 1
        } else if c == "#" {
          while at < text.count, text[at] != "\n" { at += 1 }
          continue
        } else if !c.properties.isWhitespace {
          return
        }
        at += 1
      }
    }

    /// A word up to a blank, `;`, `{` or `}`; `\` keeps the next character, `${name}` keeps its braces.
    private mutating func bare() -> String {
      var word = ""
      while at < text.count {
        let c = text[at]
        if c.properties.isWhitespace || c == ";" || c == "{" || c == "}" { break }
        if c == "\\", at + 1 < text.count {
          word.unicodeScalars.append(text[at + 1])
          at += 2
          continue
        }
        if c == "$", at + 1 < text.count, text[at + 1] == "{" {
          while at < text.count, text[at] != "}", text[at] != "\n" {
            word.unicodeScalars.append(text[at])
            at += 1
          }
          if at < text.count, text[at] == "}" {
            word.unicodeScalars.append("}")
            at += 1
          }
          continue
        }
        word.unicodeScalars.append(c)
        at += 1
      }
      return word
    }

    /// A quoted word; it must be followed by a blank, `;` or `{` (nginx: `unexpected "x"`).
    private mutating func quoted(_ quote: Unicode.Scalar) throws(WebServerConfigError) -> Token {
      let start = line
      at += 1
      var word = ""
      while at < text.count, text[at] != quote {
        var c = text[at]
        if c == "\\", at + 1 < text.count {
          at += 1
          switch text[at] {
          case "n": c = "\n"
          case "t": c = "\t"
          case "r": c = "\r"
          case "\"", "'", "\\": c = text[at]
          default:
            // nginx keeps the backslash before any other character.
            word.unicodeScalars.append("\\")
            c = text[at]
          }
        }
        if text[at] == "\n" { line += 1 }
        word.unicodeScalars.append(c)
        at += 1
      }
      guard at < text.count else { throw error(start, "unexpected end of file in a quoted string opened here") }
      at += 1
      if at < text.count, !(text[at].properties.isWhitespace || text[at] == ";" || text[at] == "{") {
        throw error(line, "unexpected \"\(text[at])\" after a quoted string")
      }
      return .word(word, line: start)
    }
  }
}
