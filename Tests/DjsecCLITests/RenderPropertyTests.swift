import Foundation
import XCTest

/// `render` never writes a local_settings.py that Python cannot import: random
/// valid names and hostile values (quotes, backslashes, newlines, NUL,
/// non-ASCII, Unicode line breaks, very long) go into a store through the
/// built binary, and Python itself judges the file: `ast.parse`, a plain
/// import, then Django starting on it (`check --deploy` clean, every value
/// read back byte for byte).
///
/// Rounds: DJSEC_PROPERTY_ROUNDS (default 4). A failure prints the seed;
/// DJSEC_PROPERTY_SEED replays it. Values are random test data, never
/// credentials, and still never printed: a failure names the secret only.
final class RenderPropertyTests: XCTestCase {
  private var work: URL!
  private var python: URL!
  private var project: URL { work.appendingPathComponent("demo") }
  private var local: URL { project.appendingPathComponent("demo/local_settings.py") }

  override func setUpWithError() throws {
    python = try CLI.python()
    work = try CLI.startProject("render-property", python: python)
  }

  override func tearDownWithError() throws {
    if let work { try? FileManager.default.removeItem(at: work) }
  }

  func testRenderedSettingsAlwaysImportAndHoldTheValues() throws {
    let env = ProcessInfo.processInfo.environment
    let seed = env["DJSEC_PROPERTY_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64.max)
    let rounds = env["DJSEC_PROPERTY_ROUNDS"].flatMap { Int($0) } ?? 4
    var rng = SplitMix64(seed: seed)
    let context = "seed \(seed) (DJSEC_PROPERTY_SEED=\(seed) replays it)"

    XCTAssertEqual(try CLI.run(CLI.binary, ["init", ".", "--host", "example.com", "--hsts", "full"], in: project).status, 0)
    let taken = try namesTaken()
    var expected: [String: String] = [:]
    for round in 0..<rounds {
      var names: [String] = []
      while names.count < 8 {
        let name = Self.randomName(&rng)
        if !taken.contains(name) { names.append(name) }
      }
      for name in names {
        let value = Self.randomValue(&rng, long: round == 0 && name == names[0])
        // One trailing newline is eaten by --stdin (what `echo` adds): send one more.
        let r = try CLI.run(CLI.binary, ["secret", "set", name, "--stdin"], in: project, stdin: value + "\n")
        XCTAssertEqual(r.status, 0, "secret set \(name): \(r.stderr) [\(context)]")
        expected[name] = value
      }
      let rendered = try CLI.run(CLI.binary, ["render"], in: project)
      XCTAssertEqual(rendered.status, 0, "render: \(rendered.stderr) [\(context)]")
      try checkWithPython(expected, context: context)
      try checkWithDjango(expected, context: context)
    }
  }

  /// ast.parse, then a plain import of the file outside Django.
  private func checkWithPython(_ expected: [String: String], context: String) throws {
    let script = """
      import ast, importlib.util, sys
      path = sys.argv[1]
      ast.parse(open(path, 'rb').read(), filename=path)
      spec = importlib.util.spec_from_file_location('rendered_local_settings', path)
      module = importlib.util.module_from_spec(spec)
      spec.loader.exec_module(module)
      for name in sys.argv[2:]:
          print(name, getattr(module, name).encode('utf-8', 'surrogatepass').hex())
      """
    let r = try CLI.run(python, ["-c", script, local.path] + expected.keys.sorted(), in: work)
    XCTAssertEqual(r.status, 0, "python could not parse or import local_settings.py: \(lastLine(r.stderr)) [\(context)]")
    compare(r.stdout, expected, via: "import", context: context)
  }

  /// Django starts on it: the deploy check is clean and settings hold every value.
  private func checkWithDjango(_ expected: [String: String], context: String) throws {
    let check = try CLI.run(python, ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], in: project)
    XCTAssertEqual(check.status, 0, "check --deploy: \(lastLine(check.stdout + check.stderr)) [\(context)]")
    let code = """
      from django.conf import settings
      for name in \(expected.keys.sorted()):
          print(name, getattr(settings, name).encode('utf-8', 'surrogatepass').hex())
      """
    let r = try CLI.run(python, ["manage.py", "shell", "-v", "0", "-c", code], in: project)
    XCTAssertEqual(r.status, 0, "manage.py shell: \(lastLine(r.stderr)) [\(context)]")
    compare(r.stdout, expected, via: "django.conf.settings", context: context)
  }

  /// Compares UTF-8 bytes (not Swift's canonical equivalence, which would hide
  /// a normalisation); a mismatch names the secret, never its value.
  private func compare(_ output: String, _ expected: [String: String], via: String, context: String) {
    var got: [String: String] = [:]
    for line in output.split(separator: "\n") {
      let parts = line.split(separator: " ", maxSplits: 1)
      got[String(parts[0])] = parts.count == 2 ? String(parts[1]) : ""
    }
    for (name, value) in expected {
      let hex = value.utf8.map { String(format: "%02x", $0) }.joined()
      XCTAssertTrue(got[name] == hex, "\(name) read through \(via) differs from the value set [\(context)]")
    }
  }

  private func lastLine(_ text: String) -> String {
    text.split(separator: "\n").last.map(String.init) ?? ""
  }

  /// Django's own settings and those of the project's settings.py: a random
  /// string there would change a setting's type, which is the user's call, not
  /// what this property is about. The template's own settings are refused by
  /// `secret set` (SecretNameEndToEndTests).
  private func namesTaken() throws -> Set<String> {
    let r = try CLI.run(
      python, ["-c", "import django.conf.global_settings as g; print('\\n'.join(n for n in dir(g) if n.isupper()))"], in: work)
    XCTAssertEqual(r.status, 0, r.stderr)
    let settings = try String(contentsOf: project.appendingPathComponent("demo/settings.py"), encoding: .utf8)
    let template = try String(contentsOf: CLI.packageRoot.appendingPathComponent("templates/local_settings.py.tmpl"), encoding: .utf8)
    let own = (settings + "\n" + template).split(separator: "\n").map {
      String($0.prefix(while: { $0.isUppercase || $0.isNumber || $0 == "_" }))
    }
    return Set(r.stdout.split(separator: "\n").map(String.init) + own)
  }

  static let edgeNames = ["X", "_X", "__A__", "CLASS", "NONE", "TRUE", "FALSE", "IMPORT", "LAMBDA", "DEF", "MATCH", "A1", "SECRETS"]

  /// `[A-Z_][A-Z0-9_]*` with at least one letter, up to 128 bytes, edge cases among them.
  static func randomName(_ rng: inout SplitMix64) -> String {
    if rng.below(4) == 0 { return edgeNames[rng.below(edgeNames.count)] }
    let upper = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    let rest = upper + Array("0123456789_")
    let length = rng.below(8) == 0 ? 128 : 2 + rng.below(30)
    var name = String(rng.below(5) == 0 ? "_" : upper[rng.below(upper.count)])
    while name.count < length { name.append(rest[rng.below(rest.count)]) }
    if !name.contains(where: \.isLetter) { name.append("A") }
    return String(name.prefix(128))
  }

  /// Pieces that have broken string literals somewhere, joined at random.
  static let pieces: [String] = [
    "'", "\"", "'''", "\"\"\"", "\\", "\\\\", "\\n", "\\x41", "\\u0041", "\\N{BULLET}", "\n", "\r", "\r\n", "\t", "\u{0}", "\u{1}",
    "\u{1B}[31m", "\u{7F}", "\u{85}", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{202E}", "\u{0301}", "é", "ü", "✓", "😀", "𝔘",
    "\u{FFFD}", "\u{FFFF}", "\u{10FFFF}", "{{SECRETS}}", "{{#deploy}}", "%s", "{0}", "\"; import os; os.system('x') #", "# not a comment",
    "\\\"", "DEBUG = True", "f\"{x}\"", "b'x'", " ", "value",
  ]

  static func randomValue(_ rng: inout SplitMix64, long: Bool) -> String {
    var value = ""
    let count = long ? 40_000 : 1 + rng.below(24)
    for _ in 0..<count {
      if rng.below(3) == 0 {
        value.unicodeScalars.append(Unicode.Scalar(UInt8(32 + rng.below(95))))
      } else {
        value += pieces[rng.below(pieces.count)]
      }
    }
    // --stdin also drops a carriage return left at the very end.
    if value.unicodeScalars.last == "\r" { value += "." }
    return value
  }
}

/// A small seeded generator, so a failing run can be replayed from its seed.
struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64
  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
