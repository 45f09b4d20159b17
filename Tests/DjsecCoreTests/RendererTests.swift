import Foundation
import Testing

@testable import DjsecCore

/// What `render` refuses before writing anything: a secret name unsafe in the
/// template actually used, and config lines `init` would refuse as flags.
@Suite struct RendererTests {
  static let template = SettingsTemplate(
    name: "mine.tmpl",
    text:
      "SECRET_KEY = {{SECRET_KEY}}\nDEBUG = {{#deploy}}False{{/deploy}}{{^deploy}}True{{/deploy}}\nALLOWED_HOSTS = {{ALLOWED_HOSTS}}\n{{SECRETS}}"
  )

  func store(_ secrets: [String: String], config: [String: String] = ["hosts": "example.com"]) throws -> SecretStore {
    let store = try SecretStore.create(
      at: URL(fileURLWithPath: "/nonexistent/secrets.djsec"), opener: try KeyPair(), label: "a", trust: TrustSettings(recordFolder: nil),
      config: config)
    // StoreFile's legacy grammar still takes lower-case names, as old stores hold them.
    for (name, value) in ["SECRET_KEY": "k"].merging(secrets, uniquingKeysWith: { $1 }) { try store.set(name, Array(value.utf8)) }
    return store
  }

  @Test func rendersSafeNamesAsStringLiterals() throws {
    let text = try Renderer.render(try store(["API_TOKEN": "a\"b\n"]), template: Self.template)
    #expect(text.contains("API_TOKEN = \"a\\\"b\\n\"\n"))
    #expect(text.contains("ALLOWED_HOSTS = [\"example.com\"]"))
  }

  @Test(arguments: [
    ("DEBUG", SecretNameError.writtenByTemplate("DEBUG", template: "mine.tmpl")),
    ("class", .pythonKeyword("class")),
    ("db_password", .notUpperCase("db_password")),
  ])
  func refusesUnsafeNames(_ name: String, _ expected: SecretNameError) throws {
    let s = try store([name: "x"])
    #expect(throws: RenderError.unsafeName(expected, store: "secrets.djsec", template: "mine.tmpl")) {
      try Renderer.render(s, template: Self.template)
    }
  }

  @Test func aSettingOnlyAnotherTemplateWritesIsFine() throws {
    // The shipped template sets X_FRAME_OPTIONS; this one does not.
    _ = try Renderer.render(try store(["X_FRAME_OPTIONS": "DENY"]), template: Self.template)
  }

  static let badConfigs: [([String: String], StoreConfigError)] = [
    (["hosts": "*"], .refused(store: "secrets.djsec", problem: .wildcardHost)),
    (["hosts": "example.com *"], .refused(store: "secrets.djsec", problem: .wildcardHost)),
    (["hosts": "exa\"mple.com"], .refused(store: "secrets.djsec", problem: .invalidHost("exa\"mple.com"))),
    (["hosts": "http://example.com"], .refused(store: "secrets.djsec", problem: .invalidHost("http://example.com"))),
    (["hosts": ""], .refused(store: "secrets.djsec", problem: .noHosts)),
    ([:], .refused(store: "secrets.djsec", problem: .noHosts)),
    (["hosts": "example.com", "profile": "prod"], .unknownProfile(store: "secrets.djsec", value: "prod")),
    (["profile": "dev", "hosts": "bad_host"], .refused(store: "secrets.djsec", problem: .invalidHost("bad_host"))),
  ]

  @Test(arguments: badConfigs)
  func refusesConfigInitWouldRefuse(_ config: [String: String], _ expected: StoreConfigError) throws {
    let s = try store([:], config: config)
    #expect(throws: RenderError.config(expected)) { try Renderer.render(s, template: Self.template) }
    #expect(expected.message.hasPrefix("secrets.djsec: config "))
  }

  @Test(arguments: [
    (["profile": "dev"], ["localhost", "127.0.0.1", "[::1]"]),
    (["profile": "dev", "hosts": "*"], ["localhost", "127.0.0.1", "[::1]", "*"]),
    (["hosts": "example.com .example.org"], ["example.com", ".example.org"]),
    (["hosts": "example.com", "future": "anything"], ["example.com"]),
  ])
  func acceptsWhatInitAccepts(_ config: [String: String], _ hosts: [String]) throws {
    let text = try Renderer.render(try store([:], config: config), template: Self.template)
    #expect(text.contains("ALLOWED_HOSTS = \(PythonLiteral.list(hosts))\n"))
  }

  @Test func initRefusesTheSameHostsAsFlags() {
    #expect(StoreConfig(hosts: ["*"], profile: .deploy).problem == .wildcardHost)
    #expect(StoreConfig(hosts: ["*"], profile: .dev).problem == nil)
    #expect(StoreConfig(hosts: [], profile: .deploy).problem == .noHosts)
    #expect(StoreConfig(hosts: ["a b"], profile: .dev).problem == .invalidHost("a b"))
  }
}
