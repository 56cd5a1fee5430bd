#!/usr/bin/env python3
"""Whole protected messages of RFC 5723 and RFC 7296 §1.3 for test_sealed_msgs.c,
derived here without ikesim: the inner payloads are written by hand from the
RFC 7296 §3 layouts, the SK payload sealed with python3-cryptography's AESGCM
(RFC 5282: nonce = salt | IV, AAD = IKE header | SK header, no padding, a
Pad Length octet) and, for one message, AES-CBC + HMAC-SHA2-256-128
(RFC 7296 §3.14: encrypt-then-MAC over everything before the ICV).
Prints the C definitions test_sealed_msgs.c holds; run again to check them."""
import hashlib
import hmac
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SPI_I, SPI_R = "0102030405060708", "1112131415161718"
SK_EI = bytes(range(0x00, 0x20)) + bytes.fromhex("a0a1a2a3")  # AES-256 key | 4-octet salt
SK_ER = bytes(range(0x20, 0x40)) + bytes.fromhex("b0b1b2b3")
CBC_EI, CBC_AI = bytes(range(0x40, 0x50)), bytes(range(0x60, 0x80))  # AES-128, HMAC-SHA2-256 key

# Payload types (§3.2): SA 33 KE 34 IDi 35 IDr 36 AUTH 39 Nonce 40 Notify 41 TSi 44 TSr 45 SK 46.
# Exchanges (§3.1): IKE_AUTH 35, CREATE_CHILD_SA 36, INFORMATIONAL 37. Flags: I 0x08, R 0x20.
NONCE = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
KE = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
TICKET = "0100000000112233445566778899aabbccddeeff"
AUTH = "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"

# IDi: next AUTH, length 14; FQDN (2), "client"
IDI = "2700000e" "02000000" "636c69656e74"
# IDr: next AUTH, length 10; FQDN, "gw"
IDR = "2700000a" "02000000" "6777"
# AUTH: next SA, length 40; shared key MIC (2), 32 octets
AUTH_PL = "21000028" "02000000" + AUTH
# SA: next TSi, length 36; one proposal (last, length 32, #1, ESP 3, SPI size 4, 2 transforms),
# SPI, ENCR (more, length 12, type 1, AES-GCM-16 = 20, Key Length 256), ESN (last, type 5, none)
def sa(next_type, spi):
    return next_type + "000024" "00000020" "01030402" + spi + \
        "0300000c" "01000014" "800e0100" "00000008" "05000000"
# the same with a D-H transform (type 4, Curve25519 = 31) for PFS after the ESN (more now):
# proposal 40, payload 44
def sa_pfs(next_type, spi):
    return next_type + "00002c" "00000028" "01030403" + spi + \
        "0300000c" "01000014" "800e0100" "03000008" "05000000" "00000008" "0400001f"
# TSi next TSr, TSr next next_type; one IPv4 range (7), any protocol, ports 0-65535
def ts(next_type):
    return "2d000018" "01000000" "07000010" "0000ffff" "0a000000" "0a0000ff" + \
        next_type + "000018" "01000000" "07000010" "0000ffff" "0a000100" "0a0001ff"
# Notifies, last payload, protocol 0 and no SPI: TICKET_REQUEST 16410, ACK 16411, NACK 16412;
# TICKET_LT_OPAQUE 16409: lifetime 3600 s, then the ticket (length 32)
N_REQUEST = "00000008" "0000401a"
N_ACK = "00000008" "0000401b"
N_NACK = "00000008" "0000401c"
N_LT = "00000020" "00004019" "00000e10" + TICKET
# N(REKEY_SA) 16393: next SA, ESP, SPI size 4, the replaced SA's SPI
REKEY_SA = "2100000c" "03044009" "c0ffee01"
# Nonce: next KE, length 36; KE: next TSi, length 40, group 31, reserved
NI = "22000024" + NONCE
KE_PL = "2c000028" "001f0000" + KE

INNER = {
    # RFC 5723 §4.3.1 (and §4.3.3 after a resumption): IKE_AUTH asks for a ticket
    "AUTH_REQ": ("23", IDI + AUTH_PL + sa("2c", "11223344") + ts("29") + N_REQUEST),
    # ... and is answered with one, a promise (ACK) or a refusal (NACK)
    "AUTH_RESP_LT": ("24", IDR + AUTH_PL + sa("2c", "55667788") + ts("29") + N_LT),
    "AUTH_RESP_ACK": ("24", IDR + AUTH_PL + sa("2c", "55667788") + ts("29") + N_ACK),
    "AUTH_RESP_NACK": ("24", IDR + AUTH_PL + sa("2c", "55667788") + ts("29") + N_NACK),
    # §4.3.1 also: a ticket asked for in INFORMATIONAL on an established SA
    "INFO_REQ": ("29", N_REQUEST),
    "INFO_RESP": ("29", N_LT),
    # RFC 7296 §1.3.3 with PFS: N(REKEY_SA), SA, Ni, KEi, TSi, TSr; answer SA, Nr, KEr, TSi, TSr
    "REKEY_REQ": ("29", REKEY_SA + sa_pfs("28", "11223344") + NI + KE_PL + ts("00")),
    "REKEY_RESP": ("21", sa_pfs("28", "55667788") + NI + KE_PL + ts("00")),
}
# name: exchange, flags, Message ID, IV
HEADERS = {
    "AUTH_REQ": (35, 0x08, 1, "0000000000000001"),
    "AUTH_RESP_LT": (35, 0x20, 1, "0000000000000001"),
    "AUTH_RESP_ACK": (35, 0x20, 1, "0000000000000002"),
    "AUTH_RESP_NACK": (35, 0x20, 1, "0000000000000003"),
    "INFO_REQ": (37, 0x08, 2, "0000000000000004"),
    "INFO_RESP": (37, 0x20, 2, "0000000000000005"),
    "REKEY_REQ": (36, 0x08, 3, "0000000000000006"),
    "REKEY_RESP": (36, 0x20, 3, "0000000000000007"),
}


def header(exchange, flags, mid, length):
    return bytes.fromhex(SPI_I + SPI_R) + struct.pack(">BBBBII", 46, 0x20, exchange, flags, mid, length)


def seal_gcm(name):
    first, inner = INNER[name]
    exchange, flags, mid, iv = HEADERS[name]
    key = SK_EI if flags & 0x08 else SK_ER
    pt = bytes.fromhex(inner) + b"\x00"  # no padding, Pad Length 0
    sk_len = 4 + 8 + len(pt) + 16
    aad = header(exchange, flags, mid, 28 + sk_len) + bytes.fromhex(first) + b"\x00" + struct.pack(">H", sk_len)
    ct = AESGCM(key[:32]).encrypt(key[32:] + bytes.fromhex(iv), pt, aad)  # ciphertext | ICV
    return aad + bytes.fromhex(iv) + ct


def seal_cbc(name, iv):
    first, inner = INNER[name]
    exchange, flags, mid, _ = HEADERS[name]
    pt = bytes.fromhex(inner)
    pad = 15 - len(pt) % 16  # fills the last block, Pad Length octet included
    pt += bytes(pad) + bytes([pad])
    sk_len = 4 + 16 + len(pt) + 16
    head = header(exchange, flags, mid, 28 + sk_len) + bytes.fromhex(first) + b"\x00" + struct.pack(">H", sk_len)
    enc = Cipher(algorithms.AES(CBC_EI), modes.CBC(bytes.fromhex(iv))).encryptor()
    body = head + bytes.fromhex(iv) + enc.update(pt) + enc.finalize()
    return body + hmac.new(CBC_AI, body, hashlib.sha256).digest()[:16]


def c_string(name, data):
    h = data.hex()
    lines = [h[i:i + 64] for i in range(0, len(h), 64)]
    return "static const char %s[] =\n    %s;" % (name, "\n    ".join('"%s"' % l for l in lines))


for name in INNER:
    print(c_string("SEALED_" + name, seal_gcm(name)))
print(c_string("SEALED_CBC_REKEY_REQ", seal_cbc("REKEY_REQ", "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")))
