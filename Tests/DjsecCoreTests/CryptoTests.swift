import Foundation
import XCTest

@testable import DjsecCore

/// libsodium's return codes are checked, never dropped: each wrapper throws
/// the code it got, beside the case that succeeds.
final class CryptoTests: XCTestCase {
  private let dataKey = SecretBytes(random: 32)
  private let zero = [UInt8](repeating: 0, count: 32)
  private let one = [1] + [UInt8](repeating: 0, count: 31)
  /// A point of order 8 on Curve25519.
  private let order8: [UInt8] = Array(Data(base64Encoded: "4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA=")!)

  func testSealingToAnUnsafePublicKeyThrowsLibsodiumsCode() throws {
    let good = try KeyPair()
    XCTAssertEqual(try SealedBox.open(SealedBox.seal(dataKey, to: good.publicKey), with: good).equals(dataKey), true)
    for key in [zero, one, order8] {
      XCTAssertThrowsError(try SealedBox.seal(dataKey, to: key)) {
        XCTAssertEqual($0 as? CryptoError, .failed(function: "crypto_box_seal", code: -1))
      }
    }
    XCTAssertThrowsError(try SealedBox.seal(dataKey, to: [1, 2, 3])) {
      XCTAssertEqual($0 as? CryptoError, .invalidLength(what: "public key", expected: 32, found: 3))
    }
  }

  /// A store is never sealed to such a key, and the error names the recipient.
  func testAStoreIsNeverSealedToAnUnsafeKey() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("djsec-crypto-\(UUID().uuidString)")
    let store = try SecretStore.create(at: url, opener: try KeyPair(), label: "good", trust: TrustSettings(recordFolder: nil))
    let signKey = try KeyPair().signing().publicKey
    for (label, key) in [("zero", zero), ("weak", order8)] {
      XCTAssertThrowsError(try store.addRecipient(label: label, identity: PublicIdentity(boxKey: key, signKey: signKey))) {
        XCTAssertEqual($0 as? StoreError, .key(.unsafeRecipient(label: label, code: -1)))
      }
    }
    XCTAssertEqual(store.file.recipients.map(\.label), ["good"])
  }

  func testUnsafePublicKeysAreNamedByTheirFlaw() throws {
    XCTAssertNoThrow(try KeyPair.checkPublicKey(try KeyPair().publicKey))
    XCTAssertThrowsError(try KeyPair.checkPublicKey(zero)) { XCTAssertEqual($0 as? CryptoError, .unsafePublicKey(.allZero)) }
    for key in [one, order8] {
      XCTAssertThrowsError(try KeyPair.checkPublicKey(key)) { XCTAssertEqual($0 as? CryptoError, .unsafePublicKey(.smallOrder)) }
    }
  }

  func testOtherWrappersThrowWhatLibsodiumReturns() throws {
    let sealed = try AEAD.seal(Array("v".utf8), key: dataKey, associatedData: [])
    XCTAssertEqual(try AEAD.open(sealed, key: dataKey, associatedData: []).withUnsafeBytes { Array($0) }, Array("v".utf8))
    XCTAssertThrowsError(try AEAD.seal([1], key: SecretBytes(random: 16), associatedData: [])) {
      XCTAssertEqual($0 as? CryptoError, .invalidLength(what: "data key", expected: 32, found: 16))
    }
    XCTAssertEqual(try KeyedHash.hash([1], key: dataKey).count, 32)
    // BLAKE2b keys are at most 64 bytes: crypto_generichash says -1.
    XCTAssertThrowsError(try KeyedHash.hash([1], key: SecretBytes(random: 65))) {
      XCTAssertEqual($0 as? CryptoError, .failed(function: "crypto_generichash", code: -1))
    }
    XCTAssertThrowsError(
      try PasswordHash.derive(passphrase: [1], salt: [UInt8](repeating: 0, count: 16), limits: .init(opslimit: 0, memlimit: 0))
    ) {
      XCTAssertEqual($0 as? CryptoError, .keyDerivationFailed(code: -1))
    }
  }

  /// The documented bounds (docs/FORMAT.md): 1...16 passes, 8 KiB...4 GiB.
  func testArgon2idBounds() {
    XCTAssertEqual(PasswordHash.opslimitBounds, 1...16)
    XCTAssertEqual(PasswordHash.memlimitBounds, 8192...4_294_967_296)
    XCTAssertTrue(PasswordHash.opslimitBounds.contains(PasswordHash.Limits.moderate.opslimit))
    XCTAssertTrue(PasswordHash.memlimitBounds.contains(PasswordHash.Limits.moderate.memlimit))
  }

  func testAnEnvironmentValueIsTakenIntoGuardedMemoryAndWipedInPlace() {
    var bytes = Array("s3cret".utf8CString)
    let taken = bytes.withUnsafeMutableBufferPointer { SecretBytes(takingCString: $0.baseAddress!) }
    XCTAssertEqual(taken.withUnsafeBytes { Array($0) }, Array("s3cret".utf8))
    XCTAssertEqual(bytes, [CChar](repeating: 0, count: 7))
  }
}
