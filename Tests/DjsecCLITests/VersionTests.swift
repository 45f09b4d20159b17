import Foundation
import XCTest

/// `djsec --version` names the version, the commit it was built from (what
/// `make` wrote into Sources/CBuildInfo/commit.h) and the libraries linked in.
final class VersionTests: XCTestCase {
  func testVersionNamesTheCommitAndTheLibraries() throws {
    let r = try CLI.djsec(["--version"])
    XCTAssertEqual(r.status, 0, r.stderr)
    let line = r.stdout.trimmingCharacters(in: .newlines)
    XCTAssertTrue(
      line.range(of: #"^\d+\.\d+\.\d+ \(commit \S+; libsodium \d+\.\d+\.\d+, Hyperscan \d+\.\d+\.\d+\)$"#, options: .regularExpression)
        != nil, line)
    let header = CLI.packageRoot.appendingPathComponent("Sources/CBuildInfo/commit.h")
    if let written = try? String(contentsOf: header, encoding: .utf8) {
      let commit = written.components(separatedBy: "\"").dropFirst().first ?? "?"
      XCTAssertTrue(line.contains("(commit \(commit);"), "\(line) should name \(commit)")
      let head = try CLI.git(["rev-parse", "--short=12", "HEAD"], in: CLI.packageRoot).stdout.trimmingCharacters(in: .newlines)
      XCTAssertTrue(commit.hasPrefix(head), "built from \(commit), HEAD is \(head)")
    } else {
      XCTAssertTrue(line.contains("(commit unknown;"), line)
    }
  }
}
