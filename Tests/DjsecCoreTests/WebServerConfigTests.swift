import Foundation
import Testing

@testable import DjsecCore

/// The two web server parsers the layout checks read document roots with:
/// what each server accepts, and the ways a configuration must fail (nginx
/// and httpd refuse the same files, so djsec never reads a root the server
/// would not).
@Suite struct NginxConfigTests {
  let file = URL(fileURLWithPath: "/etc/nginx/nginx.conf")

  @Test func readsDirectivesBlocksQuotesAndComments() throws {
    let text = """
      # a comment; with { braces }
      user www-data;  # trailing comment
      http {
        server {
          server_name example.com "www.example.com";
          root "/srv/my site/public";
          location /media/ { alias '/srv/a\\'b/'; }
          location /x/ { root /srv/a#b; }
          add_header X-Note "semi;colon # not a comment";
          return 200
            multi-line;
        }
      }
      """
    let d = try NginxConfig.parse(text, file: file)
    #expect(
      d.map(\.name) == ["user", "http", "server", "server_name", "root", "location", "alias", "location", "root", "add_header", "return"])
    #expect(d[4].arguments == ["/srv/my site/public"])
    #expect(d[4].line == 6)
    #expect(d[4].context == ["http", "server"])
    #expect(d[6].arguments == ["/srv/a'b/"])
    #expect(d[6].context == ["http", "server", "location /media/"])
    #expect(d[8].arguments == ["/srv/a#b"], "# inside a word is not a comment")
    #expect(d[9].arguments == ["X-Note", "semi;colon # not a comment"])
    #expect(d[10].line == 10 && d[10].arguments == ["200", "multi-line"])
  }

  @Test(arguments: [
    ("root /srv;\nuser www", 2, "expecting \";\" or \"}\""),
    ("http {\n  root /srv;\n", 3, "expecting \"}\""),
    ("root /srv;\n}", 2, "unexpected \"}\""),
    ("http {\n root /srv\n}", 3, "is not ended by \";\""),
    ("root \"/srv;\n", 1, "quoted string"),
    ("root \"/srv\"x;", 1, "after a quoted string"),
    ("  ;", 1, "unexpected \";\""),
    ("{ root /srv; }", 1, "unexpected \"{\""),
  ])
  func refuses(_ text: String, _ line: Int, _ reason: String) {
    expectSyntaxError(line: line, reason) { _ = try NginxConfig.parse(text, file: file) }
  }

  @Test func followsIncludesRelativeToThePrefixWithGlobsInTheirBlock() throws {
    let dir = try TemporaryConfig()
    try dir.write("nginx.conf", "http {\n  include mime.types;\n  include sites-enabled/*;\n  include conf.d/*.conf;\n}\n")
    try dir.write("mime.types", "types { text/html html; }\n")
    try dir.write("sites-enabled/b", "server { root /srv/b; }\n")
    try dir.write("sites-enabled/a", "server {\n  include snippets/static.conf;\n}\n")
    try dir.write("snippets/static.conf", "location /static/ { alias /srv/a/static/; }\n")
    let loaded = try NginxConfig.load(dir.url("nginx.conf"))
    let served = loaded.directives.filter { ["root", "alias"].contains($0.name) }
    #expect(served.map { $0.arguments[0] } == ["/srv/a/static/", "/srv/b"], "sorted, as nginx's glob reads them")
    #expect(served[0].file.lastPathComponent == "static.conf" && served[0].line == 1)
    #expect(served[0].context == ["http", "server", "location /static/"])
    #expect(!loaded.directives.contains { $0.name == "include" })
  }

  @Test func absoluteIncludesAreReadUnderTheHostRoot() throws {
    let dir = try TemporaryConfig()
    try dir.write("etc/nginx/nginx.conf", "include /etc/nginx/sites-enabled/*;\n")
    try dir.write("etc/nginx/sites-enabled/default", "server { root /var/www/html; }\n")
    let loaded = try NginxConfig.load(dir.url("etc/nginx/nginx.conf"), hostRoot: dir.root)
    #expect(loaded.directives.map(\.name) == ["server", "root"])
  }

  @Test func refusesAMissingIncludeButNotAnEmptyGlob() throws {
    let dir = try TemporaryConfig()
    try dir.write("nginx.conf", "include nothing/*.conf;\ninclude missing.conf;\n")
    #expect(throws: WebServerConfigError.includeNotFound(file: dir.url("nginx.conf").path, line: 2, included: dir.url("missing.conf").path))
    {
      _ = try NginxConfig.load(dir.url("nginx.conf"))
    }
  }

  @Test(arguments: ["self", "cycle"])
  func stopsAnIncludeLoop(_ kind: String) throws {
    let dir = try TemporaryConfig()
    if kind == "self" {
      try dir.write("nginx.conf", "include nginx.conf;\n")
    } else {
      try dir.write("nginx.conf", "http { include a.conf; }\n")
      try dir.write("a.conf", "server {\n include b.conf;\n}\n")
      try dir.write("b.conf", "include a.conf;\n")
    }
    #expect {
      _ = try NginxConfig.load(dir.url("nginx.conf"))
    } throws: { error in
      guard case .includeLoop = error as? WebServerConfigError else { return false }
      return true
    }
  }
}

@Suite struct ApacheConfigTests {
  let file = URL(fileURLWithPath: "/etc/apache2/apache2.conf")

  @Test func readsSectionsQuotesContinuationsAndComments() throws {
    let text = """
      # DocumentRoot /not/this
        # indented comment \\
      DocumentRoot /swallowed/by/the/comment
      <VirtualHost *:443>
          ServerName example.com
          DocumentRoot "/srv/my site/public"
          Alias /media/ \\
                '/srv/it\\'s/media/'
          <Directory "/srv/my site/public">
              Require all granted
          </directory>
      </VirtualHost>
      documentroot /srv/lower
      """
    let d = try ApacheConfig.parse(text, file: file)
    #expect(d.map(\.name) == ["<VirtualHost", "ServerName", "DocumentRoot", "Alias", "<Directory", "Require", "documentroot"])
    #expect(d[0].arguments == ["*:443"])
    #expect(d[2].arguments == ["/srv/my site/public"] && d[2].line == 6 && d[2].context == ["VirtualHost"])
    #expect(d[3].arguments == ["/media/", "/srv/it's/media/"] && d[3].line == 7)
    #expect(d[4].arguments == ["/srv/my site/public"])
    #expect(d[5].context == ["VirtualHost", "Directory"])
    #expect(d[6].arguments == ["/srv/lower"] && d[6].context.isEmpty)
  }

  @Test(arguments: [
    ("<VirtualHost *:80>\nDocumentRoot /srv\n", 1, "is never closed"),
    ("<VirtualHost *:80>\n</Directory>\n", 2, "does not close <VirtualHost>"),
    ("</VirtualHost>\n", 1, "without matching"),
    ("<VirtualHost *:80\n</VirtualHost>\n", 1, "is not closed with \">\""),
    ("DocumentRoot \"/srv/x\n", 1, "unterminated \" quote"),
    ("Alias /a/ '/srv/\\\n", 1, "unterminated ' quote"),
  ])
  func refuses(_ text: String, _ line: Int, _ reason: String) {
    expectSyntaxError(line: line, reason) { _ = try ApacheConfig.parse(text, file: file) }
  }

  @Test func followsIncludesRelativeToServerRoot() throws {
    let dir = try TemporaryConfig()
    try dir.write(
      "etc/apache2/apache2.conf", "Include ports.conf\nIncludeOptional conf-enabled/*.conf\nIncludeOptional sites-enabled/*.conf\n")
    try dir.write("etc/apache2/ports.conf", "Listen 80\n")
    try dir.write("etc/apache2/sites-enabled/site.conf", "<VirtualHost *:80>\n  Include /etc/apache2/snippets/\n</VirtualHost>\n")
    try dir.write("etc/apache2/snippets/root", "DocumentRoot www\n")
    try dir.write("other/httpd.conf", "ServerRoot /srv\nInclude conf/*.conf\n")
    try dir.write("srv/conf/x.conf", "DocumentRoot /srv/x\n")
    let loaded = try ApacheConfig.load(dir.url("etc/apache2/apache2.conf"), hostRoot: dir.root)
    let roots = loaded.directives.filter { $0.name == "DocumentRoot" }
    #expect(roots.map(\.arguments) == [["www"]] && roots[0].context == ["VirtualHost"], "a folder include reads its files")
    #expect(loaded.base == dir.url("etc/apache2"))
    let moved = try ApacheConfig.load(dir.url("other/httpd.conf"), hostRoot: dir.root)
    #expect(moved.directives.map(\.name) == ["ServerRoot", "DocumentRoot"] && moved.base == dir.url("srv"))
  }

  @Test func includeRefusesAPatternThatMatchesNothing() throws {
    let dir = try TemporaryConfig()
    try dir.write("apache2.conf", "IncludeOptional none/*.conf\nInclude none/*.conf\n")
    #expect {
      _ = try ApacheConfig.load(dir.url("apache2.conf"))
    } throws: { error in
      guard case .includeNotFound(_, let line, _) = error as? WebServerConfigError else { return false }
      return line == 2
    }
  }

  @Test func stopsAnIncludeLoop() throws {
    let dir = try TemporaryConfig()
    try dir.write("apache2.conf", "Include sites/*.conf\n")
    try dir.write("sites/a.conf", "<VirtualHost *:80>\nInclude apache2.conf\n</VirtualHost>\n")
    #expect(throws: WebServerConfigError.includeLoop(file: dir.url("sites/a.conf").path, line: 2, included: dir.url("apache2.conf").path)) {
      _ = try ApacheConfig.load(dir.url("apache2.conf"))
    }
  }
}

/// `body` fails with a syntax error at `line` whose reason says `reason`.
func expectSyntaxError(line: Int, _ reason: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
  #expect(sourceLocation: sourceLocation) {
    try body()
  } throws: { error in
    guard case .syntax(_, let l, let r) = error as? WebServerConfigError else { return false }
    return l == line && r.contains(reason)
  }
}

/// A folder of configuration files, removed when the test ends.
final class TemporaryConfig {
  let root: URL

  init() throws {
    root = FileManager.default.temporaryDirectory.appendingPathComponent("djsec-webconf-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(at: root) }

  func url(_ path: String) -> URL { root.appendingPathComponent(path).standardizedFileURL }

  func write(_ path: String, _ text: String) throws {
    let file = url(path)
    try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: file)
  }
}
