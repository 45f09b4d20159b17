// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "djsec",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "djsec", targets: ["djsec"]),
    .library(name: "DjsecCore", targets: ["DjsecCore"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    // libsodium from Debian's libsodium-dev; the shim header is the only place C is named.
    .systemLibrary(
      name: "CSodium",
      pkgConfig: "libsodium",
      providers: [.apt(["libsodium-dev"])]
    ),
    // Hyperscan (libhyperscan-dev): every scan rule in one database, the fast prefilter.
    .systemLibrary(
      name: "CHyperscan",
      pkgConfig: "libhs",
      providers: [.apt(["libhyperscan-dev"])]
    ),
    // PCRE2 (libpcre2-dev): the precise matcher, run only where Hyperscan hit.
    .systemLibrary(
      name: "CPCRE2",
      pkgConfig: "libpcre2-8",
      providers: [.apt(["libpcre2-dev"])]
    ),
    // zlib (zlib1g-dev): inflates the members of zip archives found in history.
    .systemLibrary(
      name: "CZlib",
      pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]
    ),
    // The C library's extensions Swift's Glibc module leaves out (mallopt); nothing to link.
    .systemLibrary(name: "CLibc"),
    // The commit djsec was built from (a macro `make` defines); nothing to link.
    .systemLibrary(name: "CBuildInfo"),
    // All behaviour lives here: no printing, no exit().
    .target(
      name: "DjsecCore",
      dependencies: ["CSodium", "CHyperscan", "CPCRE2", "CZlib", "CLibc"],
      // The rules are compiled in (Support/EmbeddedFiles.swift, `make embed`), not a resource bundle
      // a copied binary would lose.
      exclude: ["Resources/rules"]
    ),
    // Thin CLI: parses arguments, calls DjsecCore, and owns stderr (Diagnostics.swift).
    .executableTarget(
      name: "djsec",
      dependencies: [
        "DjsecCore", "CBuildInfo",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // libFuzzer target over the store parser (`make fuzz`); a replayer otherwise.
    .executableTarget(name: "DjsecFuzz", dependencies: ["DjsecCore"]),
    // Test-time generators of credential-shaped values (nothing credential-like is committed).
    .target(name: "DjsecTestSupport", dependencies: ["DjsecCore"], path: "Tests/DjsecTestSupport"),
    // Golden/ holds the reporters' golden files, read through #filePath (ReporterGoldenTests).
    .testTarget(name: "DjsecCoreTests", dependencies: ["DjsecCore", "DjsecTestSupport"], exclude: ["Golden"]),
    .testTarget(name: "DjsecCLITests", dependencies: ["DjsecCore", "DjsecTestSupport"]),
  ],
  swiftLanguageModes: [.v6]
)
