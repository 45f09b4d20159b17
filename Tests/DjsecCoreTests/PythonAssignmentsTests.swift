import Foundation
import Testing

@testable import DjsecCore

/// What `init --import` reads from a hand-written settings file: each vector
/// is Python source and what the name `A` ends up as. Most are ways a value
/// must NOT be read (djsec cannot know it without running the file); the
/// values read are checked against CPython itself when the test virtualenv is there.
@Suite struct PythonAssignmentsTests {
  /// Read as a string, exactly.
  static let literals: [(source: String, value: String)] = [
    (#"A = "x""#, "x"),
    (#"A = 'x'"#, "x"),
    (#"A="x""#, "x"),
    ("A = \"x\"  # the comment goes\n", "x"),
    (#"A = "a#b""#, "a#b"),
    (#"A = """#, ""),
    (#"A = "x";"#, "x"),
    (#"A = r"a\nb""#, #"a\nb"#),
    (#"A = R'\d+'"#, #"\d+"#),
    (#"A = u"caf\u00e9""#, "caf\u{E9}"),
    (#"A = "tab\there\n""#, "tab\there\n"),
    (#"A = "q\"q""#, "q\"q"),
    (#"A = 'it\'s'"#, "it's"),
    (#"A = "\\ \a\b\f\v\r""#, "\\ \u{07}\u{08}\u{0C}\u{0B}\r"),
    (#"A = "\x41\101\0\u0042\U0001F600""#, "AA\u{0}B\u{1F600}"),
    // An unknown escape keeps its backslash, as Python does.
    (#"A = "\d\%""#, #"\d\%"#),
    ("A = \"caf\u{E9} \u{1F600}\"", "caf\u{E9} \u{1F600}"),
    ("\u{FEFF}A = \"bom\"", "bom"),
    ("A = \"old\"\nA = \"new\"\n", "new"),
    ("B = 1; A = \"x\"", "x"),
    ("A = \"x\"\r\nB = \"y\"\r\n", "x"),
    ("if DEBUG:\n    B = \"y\"\nA = \"x\"\n", "x"),
    ("A = \"y\"\nif DEBUG:\n    A = \"z\"\nA = \"x\"\n", "x"),
    ("def f():\n    A = \"inner\"\n    return A\nA = \"x\"\n", "x"),
    ("A = \"x\"\nclass C:\n    A = \"inner\"\n", "x"),
    ("A = \"x\"\n@decorator\ndef f():\n    A = \"inner\"\n", "x"),
    ("X = [\n  \"a\",  # A = \"no\"\n]\nA = \"x\"\n", "x"),
  ]

  /// `A` is assigned, but not to a value djsec may read.
  static let others: [String] = [
    #"A = f"{B}""#,
    #"A = F'x'"#,
    #"A = rf"x""#,
    #"A = b"x""#,
    #"A = rb"x""#,
    #"A = t"x""#,
    #"A = """x""""#,
    #"A = '''x'''"#,
    "A = \"\"\"\nx\n\"\"\"",
    #"A = "a" + "b""#,
    #"A = "a" "b""#,
    #"A = "" "b""#,
    "A = (\"a\"\n     \"b\")",
    "A = (\"x\")",
    "A = \"a\\\nb\"",
    "A = \\\n    \"x\"",
    #"A = "x".strip()"#,
    #"A = "x" % B"#,
    #"A = "x" if B else "y""#,
    #"A = os.environ["A"]"#,
    #"A = B = "x""#,
    #"B = A = "x""#,
    #"A, B = "x", "y""#,
    #"A: str = "x""#,
    "A = \"x\"\nA += \"y\"",
    "A = \"x\"\nif X:\n    A = \"y\"\n",
    "A = \"x\"\ntry:\n    A = \"y\"\nexcept Exception:\n    pass\n",
    "A = \"x\"\nfor i in range(2):\n    A = \"y\"\n",
    #"A = "\N{BULLET}""#,
    #"A = "\x4""#,
    #"A = "\u12""#,
    #"A = "\ud800""#,
    #"A = "\U00110000""#,
    "A = None",
    "A = {\"k\": \"x\"}",
  ]

  /// `A` is not assigned at all.
  static let absent: [String] = [
    #"# A = "x""#,
    "def f():\n    A = \"x\"\n",
    "class C:\n    A = \"x\"\n",
    "\"\"\"\nA = \"x\"\n\"\"\"\n",
    "X = 1  # A = \"y\"",
    "if A == \"x\": pass",
    "A == \"x\"",
    "print(A)",
    "X = \"A = 'x'\"",
  ]

  static let unreadable: [String] = [
    "A = \"x",
    "A = 'x\nB = 1",
    "A = (\"x\"",
    "A = \"\"\"x",
    "A = {\"k\": [\"x\"}",
  ]

  @Test(arguments: literals)
  func readsPlainStringLiterals(_ source: String, _ value: String) throws {
    let parsed = try #require(PythonAssignments.parse(source))
    #expect(parsed.values["A"] == .string(value), "\(source)")
  }

  /// The other literals settings hold (DEBUG, ALLOWED_HOSTS, SECURE_HSTS_SECONDS), for `djsec check`.
  static let otherLiterals: [(String, PythonAssignments.Value)] = [
    ("A = 1", .integer(1)),
    ("A = 31_536_000", .integer(31_536_000)),
    ("A = True", .bool(true)),
    ("A = False  # off", .bool(false)),
    ("A = [\"x\"]", .strings(["x"])),
    ("A = [\"x\", 'y',]", .strings(["x", "y"])),
    ("A = (\"x\",)", .strings(["x"])),
    ("A = []", .strings([])),
    ("A = [\n    \"a.example\",\n    \"b.example\",\n]", .strings(["a.example", "b.example"])),
    ("A = [\"x\", B]", .other),
    ("A = [\"x\",, \"y\"]", .other),
    ("A = [x for x in B]", .other),
  ]

  @Test(arguments: otherLiterals)
  func readsBooleansNumbersAndListsOfStrings(_ source: String, _ value: PythonAssignments.Value) throws {
    let parsed = try #require(PythonAssignments.parse(source))
    #expect(parsed.values["A"] == value, "\(source)")
  }

  @Test(arguments: others)
  func refusesEveryOtherValue(_ source: String) throws {
    let parsed = try #require(PythonAssignments.parse(source))
    #expect(parsed.values["A"] == .other, "\(source)")
  }

  @Test(arguments: absent)
  func seesNoAssignmentInCommentsStringsOrFunctions(_ source: String) throws {
    let parsed = try #require(PythonAssignments.parse(source))
    #expect(parsed.values["A"] == nil, "\(source)")
    #expect(!parsed.names.contains("A"))
  }

  @Test(arguments: unreadable)
  func refusesWhatIsNotPython(_ source: String) {
    #expect(PythonAssignments.parse(source) == nil, "\(source)")
  }

  @Test func namesInOrderAndOtherStatementsCounted() throws {
    let source = """
      import os
      from pathlib import Path
      SECRET_KEY = "k"
      DEBUG = True
      if DEBUG:
          EXTRA = "x"
      DATABASES = {
          "default": {"PASSWORD": SECRET_KEY},
      }
      print(DEBUG)
      SECRET_KEY = 'again'
      """
    let parsed = try #require(PythonAssignments.parse(source))
    #expect(parsed.names == ["SECRET_KEY", "DEBUG", "EXTRA", "DATABASES"])
    #expect(parsed.values["SECRET_KEY"] == .string("again"))
    #expect(parsed.values["EXTRA"] == .other)
    #expect(parsed.otherStatements == 4)
  }

  @Test func aValueNeverShowsInADescription() {
    #expect("\(PythonAssignments.Value.string("hunter2-value"))" == "string(13 characters)")
  }

  /// Every value djsec reads is the one CPython evaluates the same source to.
  @Test func readValuesAgreeWithCPython() throws {
    guard let python = ProcessInfo.processInfo.environment["DJSEC_TEST_PYTHON"] else { return }
    for (source, value) in Self.literals {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: python)
      process.arguments = [
        "-c",
        "import sys; ns = {}; exec(sys.stdin.read(), {'DEBUG': True, 'decorator': lambda f: f}, ns); sys.stdout.write(ns['A'].encode('utf-8', 'surrogatepass').hex())",
      ]
      let input = Pipe()
      let output = Pipe()
      process.standardInput = input
      process.standardOutput = output
      try process.run()
      // A file's BOM is dropped by Python's decoder; exec() of a str keeps it.
      input.fileHandleForWriting.write(Data(source.replacingOccurrences(of: "\u{FEFF}", with: "").utf8))
      try input.fileHandleForWriting.close()
      let hex = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      #expect(process.terminationStatus == 0, "\(source)")
      #expect(hex == Data(value.utf8).map { String(format: "%02x", $0) }.joined(), "\(source)")
    }
  }
}

/// How `init --import` sorts what it read: secrets, the key, the template's
/// own settings, what the store already holds, and what it cannot take.
@Suite struct SettingsImportTests {
  static let template = SettingsTemplate(
    name: "t.tmpl", text: "SECRET_KEY = {{SECRET_KEY}}\nDEBUG = False\nALLOWED_HOSTS = {{ALLOWED_HOSTS}}\n{{SECRETS}}")
  static let strongKey = String(repeating: "abcdefghij", count: 5) + "k"

  @Test func sortsEveryName() throws {
    let source = """
      SECRET_KEY = "\(Self.strongKey)"
      DEBUG = "True"
      ALLOWED_HOSTS = ["*"]
      API_TOKEN = "t"
      SAME = "s"
      OTHER = "new"
      db_user = "app"
      SECRET_KEY_FALLBACKS = ["old"]
      DATABASES = {"default": {}}
      CLASS_ = f"x"
      """
    let imported = try #require(SettingsImport(source: source, template: Self.template, stored: ["SAME": "s", "OTHER": "old"]))
    #expect(imported.key?.value == Self.strongKey)
    #expect(imported.imported == ["SECRET_KEY", "API_TOKEN"])
    #expect(imported.secrets == [SettingsImport.Entry(name: "API_TOKEN", value: "t")])
    #expect(imported.alreadyStored == ["SAME"])
    #expect(imported.storeDiffers == ["OTHER"])
    #expect(imported.setByTemplate == ["DEBUG", "ALLOWED_HOSTS"])
    #expect(imported.notImported == ["db_user", "SECRET_KEY_FALLBACKS", "DATABASES", "CLASS_"])
    #expect(!imported.weakKey)
  }

  @Test(arguments: ["django-insecure-" + strongKey, "short", String(repeating: "ab", count: 30)])
  func aWeakKeyIsNeverImported(_ key: String) throws {
    let imported = try #require(SettingsImport(source: "SECRET_KEY = '\(key)'\n", template: Self.template, stored: [:]))
    #expect(imported.key == nil)
    #expect(imported.weakKey)
    #expect(imported.imported.isEmpty)
  }

  @Test func aKeyDjsecCannotReadIsListed() throws {
    let imported = try #require(SettingsImport(source: "SECRET_KEY = os.environ['K']\n", template: Self.template, stored: [:]))
    #expect(imported.key == nil)
    #expect(imported.notImported == ["SECRET_KEY"])
  }

  @Test func anEntryNeverShowsItsValue() {
    #expect("\(SettingsImport.Entry(name: "A", value: "hunter2-value"))" == "A = <13 characters>")
  }
}
