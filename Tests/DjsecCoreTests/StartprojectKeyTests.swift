import DjsecTestSupport
import XCTest

@testable import DjsecCore

/// `init` takes only startproject's own `SECRET_KEY = 'django-insecure-…'`
/// out of settings.py; every other SECRET_KEY line is left and reported.
/// Keys are made at test time: nothing key-like is committed.
final class StartprojectKeyTests: XCTestCase {
  private let key = SecretGenerator.make("django_insecure_key")!

  func testRemovesStartprojectsLineAndLeavesAComment() throws {
    let settings = "from pathlib import Path\n\n# SECURITY WARNING: keep it secret!\nSECRET_KEY = '\(key)'\n\nDEBUG = True\n"
    let removal = StartprojectKey.remove(from: settings)
    XCTAssertEqual(
      removal.text, "from pathlib import Path\n\n# SECURITY WARNING: keep it secret!\n\(StartprojectKey.comment)\n\nDEBUG = True\n")
    XCTAssertEqual(removal.kept, [])
    XCTAssertFalse(removal.text!.contains("django-insecure-" + key.dropFirst("django-insecure-".count)))
    // Idempotent: the comment is no assignment.
    XCTAssertEqual(StartprojectKey.remove(from: removal.text!), StartprojectKey.Removal(text: nil, kept: []))
  }

  func testDoubleQuotesTrailingBlanksAndCRLFAreStartprojectsShapeToo() throws {
    for line in ["SECRET_KEY = \"\(key)\"", "SECRET_KEY = '\(key)'  "] {
      XCTAssertEqual(StartprojectKey.remove(from: line + "\n").text, StartprojectKey.comment + "\n", line)
    }
    XCTAssertEqual(StartprojectKey.remove(from: "A = 1\r\nSECRET_KEY = '\(key)'\r\n").text, "A = 1\r\n\(StartprojectKey.comment)\r\n")
  }

  /// Each of these binds SECRET_KEY in a way someone chose: left alone, reported by line.
  func testLeavesEveryOtherAssignmentAndReportsIt() {
    let others = [
      "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']",
      "SECRET_KEY = os.environ.get('DJANGO_SECRET_KEY', '\(key)')",
      "SECRET_KEY = '\(key)' + suffix",
      "SECRET_KEY = '\(key)'  # keep",
      "SECRET_KEY = 'not-insecure-\(key)'",
      "SECRET_KEY='\(key)'",
      "SECRET_KEY: str = '\(key)'",
      "    SECRET_KEY = '\(key)'",
      "SECRET_KEY = '\(key)\\'",
    ]
    for line in others {
      let removal = StartprojectKey.remove(from: "DEBUG = True\n" + line + "\n")
      XCTAssertNil(removal.text, line)
      XCTAssertEqual(removal.kept, [2], line)
    }
  }

  func testIgnoresWhatOnlyLooksLikeIt() {
    for text in ["SECRET_KEY_FALLBACKS = ['\(key)']\n", "# SECRET_KEY = '\(key)'\n", "if SECRET_KEY == 'x':\n    pass\n", ""] {
      XCTAssertEqual(StartprojectKey.remove(from: text), StartprojectKey.Removal(text: nil, kept: []), text)
    }
  }

  func testRemovesStartprojectsKeyAndReportsAnotherBeside() {
    let removal = StartprojectKey.remove(from: "SECRET_KEY = '\(key)'\nif PROD:\n    SECRET_KEY = read()\n")
    XCTAssertEqual(removal.text, "\(StartprojectKey.comment)\nif PROD:\n    SECRET_KEY = read()\n")
    XCTAssertEqual(removal.kept, [3])
  }
}
