import Foundation
import Testing

@testable import DjsecCore

/// Environment names, their store files, config paths and the local memory
/// of a checkout: the values every command's Workspace is built from.
@Suite struct WorkspaceTests {
  @Test(arguments: ["production", "dev", "staging-eu", "qa_2", "p"])
  func acceptsEnvironmentNames(_ name: String) throws {
    let env = try #require(EnvironmentName(name))
    #expect(env.storeFileName == "secrets.\(name).djsec")
    #expect(EnvironmentName(storeFileName: env.storeFileName) == env)
  }

  @Test(arguments: ["", "Production", "../prod", "prod/x", "2prod", "-prod", "prod env", String(repeating: "a", count: 33), "prøduction"])
  func refusesEnvironmentNames(_ name: String) {
    #expect(EnvironmentName(name) == nil)
  }

  @Test func theDefaultEnvironmentIsTodaysStore() {
    #expect(EnvironmentName.default.storeFileName == "secrets.djsec")
    #expect(EnvironmentName(storeFileName: "secrets.djsec") == .default)
    #expect(EnvironmentName(storeFileName: "secrets.default.djsec") == nil, "two files for one environment")
    #expect(EnvironmentName(storeFileName: "secrets.djsec.bak") == nil)
    #expect(EnvironmentName(storeFileName: "other.djsec") == nil)
  }

  @Test(arguments: ["mysite/settings/production.py", "deploy/local.tmpl", "a"])
  func acceptsConfigPaths(_ path: String) {
    #expect(StoreConfig.isSafePath(path, absoluteAllowed: false))
  }

  @Test(arguments: ["../etc/passwd", "a/../../b", "a//b", "./a", "a b", "a\tb", "a\nb", "", "/etc/app/local_settings.py"])
  func refusesRelativeConfigPaths(_ path: String) {
    #expect(!StoreConfig.isSafePath(path, absoluteAllowed: false))
  }

  @Test func absolutePathsOnlyWhereAllowed() {
    #expect(StoreConfig.isSafePath("/etc/app/local_settings.py", absoluteAllowed: true))
    #expect(!StoreConfig.isSafePath("/etc/../root/.bashrc", absoluteAllowed: true))
  }

  @Test func aForgedSettingsLineIsRefused() {
    #expect(throws: StoreConfigError.refused(store: "s", problem: .badPath(key: "out", value: "../../x.py"))) {
      try StoreConfig(lines: ["hosts": "example.com", "out": "../../x.py"], store: "s")
    }
  }

  @Test func localStateRemembersPerEnvironment() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("djsec-ws-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: root) }
    let home = root.appendingPathComponent("state")
    let state = LocalState(root: root, userState: home)
    #expect(state.environment == nil)
    let prod = try #require(EnvironmentName("production"))
    try state.remember(prod)
    try state.remember(RenderPaths(template: "/p/mine.tmpl", out: "/p/out.py"), for: prod)
    #expect(LocalState(root: root, userState: home).environment == prod)
    #expect(LocalState(root: root, userState: home).renderPaths(for: prod) == RenderPaths(template: "/p/mine.tmpl", out: "/p/out.py"))
    #expect(LocalState(root: root, userState: home).renderPaths(for: .default) == nil)
    // Nothing of it is in the checkout, and it is private to the user.
    #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent(".djsec").path))
    let folder = try #require(state.folder)
    #expect(folder.path.hasPrefix(home.path + "/checkouts/"))
    #expect(AtomicFile.mode(of: folder) == 0o700)
    // A hand-edited file with a bad name falls back to the default.
    try "../x\n".write(to: folder.appendingPathComponent("environment"), atomically: true, encoding: .utf8)
    #expect(LocalState(root: root, userState: home).environment == nil)
    // No home: nothing remembered, nothing written.
    try LocalState(root: root, userState: nil).remember(prod)
    #expect(LocalState(root: root, userState: nil).environment == nil)
  }

  @Test func splitSettingsModulesLoadTheirOwnFile() {
    let settings = URL(fileURLWithPath: "/p/mysite/settings/production.py")
    #expect(
      DjangoProject(root: URL(fileURLWithPath: "/p"), settingsFile: settings).localSettingsFile.lastPathComponent
        == "local_settings_production.py")
    let single = URL(fileURLWithPath: "/p/mysite/settings.py")
    #expect(
      DjangoProject(root: URL(fileURLWithPath: "/p"), settingsFile: single).localSettingsFile.lastPathComponent == "local_settings.py")
    let package = URL(fileURLWithPath: "/p/mysite/settings/__init__.py")
    #expect(DjangoProject(root: URL(fileURLWithPath: "/p"), settingsFile: package).localModuleName == "local_settings")
  }

  @Test func readsBackTheListsItWrites() {
    let keys = ["a\"b", "c\\d", "é"]
    #expect(PythonLiteral.assignedStrings(named: "K", in: "K = \(PythonLiteral.list(keys))\n") == keys)
    #expect(PythonLiteral.assignedStrings(named: "K", in: "K = []\n") == [])
    #expect(PythonLiteral.assignedStrings(named: "K", in: "K = [x]\n") == nil)
    #expect(PythonLiteral.assignedStrings(named: "K", in: "K = [\"a\",]\n") == nil)
  }
}

/// The store's own base64 reader: what Foundation writes reads back the
/// same; what is not standard padded base64 is refused (stricter than
/// Foundation, which takes "====" and "AA=A").
@Suite struct Base64TextTests {
  @Test func readsWhatFoundationWrites() {
    for n in 0..<64 {
      let bytes = (0..<n).map { _ in UInt8.random(in: 0...255) }
      #expect(Base64Text.decode(bytes: ArraySlice(Data(bytes).base64EncodedString().utf8)) == bytes)
    }
  }

  @Test(arguments: ["A", "AB", "ABC", "Q===", "====", "AA=A", "A B=", "QUJD\n", "-_-_", "QUJD====", "=AAA"])
  func refuses(_ input: String) {
    #expect(Base64Text.decode(bytes: ArraySlice(input.utf8)) == nil)
  }
}
