import Foundation

/// Apache httpd's configuration syntax, as httpd reads it (util.c's
/// ap_cfg_getline and ap_getword_conf): a line ending in `\` continues on
/// the next (before comments are recognised, as in httpd), `#` starts a
/// comment only as a line's first word, arguments may be quoted with `"` or
/// `'` (a backslash escapes the quote), `<Section …>` … `</Section>` nest
/// and must match, directive names are case-insensitive. `Include` and
/// `IncludeOptional` are read in place (wildcards and folders allowed),
/// relative to ServerRoot; `Include` refuses a pattern that matches nothing,
/// as httpd does.
public enum ApacheConfig {
  /// The directives of `text`, each section's opening tag too (its name without `<`), with `context` the sections it sits in.
  public static func parse(_ text: String, file: URL, context: [String] = []) throws(WebServerConfigError) -> [ServerDirective] {
    var out: [ServerDirective] = []
    var sections: [(name: String, line: Int)] = []
    for (line, number) in logicalLines(text) {
      let trimmed = line.drop { $0 == " " || $0 == "\t" }
      guard !trimmed.isEmpty, trimmed.first != "#" else { continue }
      let fail = { (reason: String) in WebServerConfigError.syntax(file: file.path, line: number, reason: reason) }
      if trimmed.hasPrefix("</") {
        let name = trimmed.dropFirst(2).trimmingCharacters(in: .whitespaces)
        guard name.hasSuffix(">") else { throw fail("\(trimmed) is not closed with \">\"") }
        let closing = String(name.dropLast()).trimmingCharacters(in: .whitespaces)
        guard let open = sections.popLast() else { throw fail("</\(closing)> without matching <\(closing)> section") }
        guard open.name.lowercased() == closing.lowercased() else {
          throw fail("</\(closing)> does not close <\(open.name)> (line \(open.line))")
        }
        continue
      }
      var words: [String]
      do { words = try Self.words(String(trimmed)) } catch { throw fail("an unterminated \(error.quote) quote") }
      let name = words.removeFirst()
      let here = context + sections.map(\.name)
      if name.hasPrefix("<") {
        guard let last = words.last ?? Optional(name), last.hasSuffix(">") else {
          throw fail("<\(name.dropFirst()) is not closed with \">\"")
        }
        var section = String(name.dropFirst())
        if words.isEmpty { section = String(section.dropLast()) } else { words[words.count - 1] = String(last.dropLast()) }
        if words.last == "" { words.removeLast() }
        out.append(ServerDirective(name: "<" + section, arguments: words, file: file, line: number, context: here))
        sections.append((section, number))
        continue
      }
      out.append(ServerDirective(name: name, arguments: words, file: file, line: number, context: here))
    }
    if let open = sections.last {
      throw .syntax(file: file.path, line: open.line, reason: "<\(open.name)> is never closed (</\(open.name)>)")
    }
    return out
  }

  /// `file` with every `Include`/`IncludeOptional` read in its place (and
  /// left out), relative paths against ServerRoot: `serverRoot`, default
  /// `file`'s folder, until a `ServerRoot` line changes it; absolute paths under `hostRoot`.
  public static func load(_ file: URL, serverRoot: URL? = nil, hostRoot: URL = URL(fileURLWithPath: "/")) throws(WebServerConfigError)
    -> LoadedConfig
  {
    var walker = IncludeWalker(hostRoot: hostRoot)
    var root = serverRoot ?? file.deletingLastPathComponent()
    let directives = try load(file, context: [], from: nil, serverRoot: &root, walker: &walker)
    return LoadedConfig(directives: directives, base: root)
  }

  private static func load(_ file: URL, context: [String], from: ServerDirective?, serverRoot: inout URL, walker: inout IncludeWalker)
    throws(WebServerConfigError) -> [ServerDirective]
  {
    try walker.enter(file, from: from)
    defer { walker.leave() }
    var out: [ServerDirective] = []
    for d in try parse(IncludeWalker.read(file), file: file, context: context) {
      switch d.name.lowercased() {
      case "serverroot" where d.arguments.count == 1:
        serverRoot = walker.resolve(d.arguments[0], base: serverRoot)
        out.append(d)
      case "include", "includeoptional":
        guard d.arguments.count == 1 else {
          throw .syntax(file: file.path, line: d.line, reason: "\(d.name) takes one argument")
        }
        let pattern = walker.resolve(d.arguments[0], base: serverRoot)
        let files = walker.expand(pattern, folders: true)
        if files.isEmpty, d.name.lowercased() == "include" {
          throw .includeNotFound(file: file.path, line: d.line, included: pattern.path)
        }
        for included in files {
          out += try load(included, context: d.context, from: d, serverRoot: &serverRoot, walker: &walker)
        }
      default:
        out.append(d)
      }
    }
    return out
  }

  /// Lines with continuations joined (a `\` ending a line joins the next,
  /// leading blanks kept), each with the number of its first physical line.
  static func logicalLines(_ text: String) -> [(String, Int)] {
    var out: [(String, Int)] = []
    var pending: String?
    var start = 0
    for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      var line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
      if pending == nil { start = i + 1 }
      let continues = line.hasSuffix("\\")
      if continues { line.removeLast() }
      pending = (pending ?? "") + line
      if !continues {
        out.append((pending!, start))
        pending = nil
      }
    }
    if let pending { out.append((pending, start)) }
    return out
  }

  struct UnterminatedQuote: Error { var quote: Character }

  /// ap_getword_conf: blank-separated words, `"…"` or `'…'` quoted with the
  /// quote escaped by a backslash (other backslashes kept).
  static func words(_ line: String) throws(UnterminatedQuote) -> [String] {
    var words: [String] = []
    var rest = Substring(line)
    while true {
      rest = rest.drop { $0 == " " || $0 == "\t" }
      guard let first = rest.first else { return words }
      guard first == "\"" || first == "'" else {
        let word = rest.prefix { $0 != " " && $0 != "\t" }
        words.append(String(word))
        rest = rest[word.endIndex...]
        continue
      }
      var word = ""
      var i = rest.index(after: rest.startIndex)
      var closed = false
      while i < rest.endIndex {
        let c = rest[i]
        if c == "\\", rest.index(after: i) < rest.endIndex, rest[rest.index(after: i)] == first {
          word.append(first)
          i = rest.index(i, offsetBy: 2)
          continue
        }
        if c == first {
          closed = true
          i = rest.index(after: i)
          break
        }
        word.append(c)
        i = rest.index(after: i)
      }
      guard closed else { throw UnterminatedQuote(quote: first) }
      words.append(word)
      rest = rest[i...]
    }
  }
}
