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
    // All behaviour lives here: no printing, no exit().
    .target(
      name: "DjsecCore",
      dependencies: ["CSodium"]
    ),
    // Thin CLI: parses arguments, calls DjsecCore, and owns stderr (Diagnostics.swift).
    .executableTarget(
      name: "djsec",
      dependencies: [
        "DjsecCore",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(name: "DjsecCoreTests", dependencies: ["DjsecCore"]),
    .testTarget(name: "DjsecCLITests", dependencies: ["DjsecCore"]),
  ],
  swiftLanguageModes: [.v6]
)
