/* test_rekey_keys.c — keys of rekeyed and resumed SAs (RFC 7296 §2.17,
 * §2.18; RFC 5723 §5.1).  The expected octets were computed apart from this
 * code, with Python's hmac module over the formulas as the RFCs write them:
 * prf = HMAC-SHA-256, prf+ = T1 | T2 | ..., Tn = prf(K, Tn-1 | S | n).
 * Inputs: SK_d(old) = 40..5f, g^ir(new) = 60..7f, Ni = 00..1f, Nr = 20..3f,
 * new SPIi = a1..a8, new SPIr = b1..b8. */
#include <glib.h>
#include <string.h>

#include "hex.h"
#include "ike_rekey_keys.h"

static uint8_t SK_D[32], GIR[32], NI[32], NR[32];
static const uint64_t SPI_I = 0xa1a2a3a4a5a6a7a8u, SPI_R = 0xb1b2b3b4b5b6b7b8u;
static const ike_suite GCM256 = { IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA2_256,
                                  IKE_DH_CURVE25519 };
static const ike_suite CBC128 = { IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128,
                                  IKE_PRF_HMAC_SHA2_256, IKE_DH_CURVE25519 };

static void assert_hex(const uint8_t *got, size_t len, const char *want_hex)
{
    uint8_t want[128];
    size_t wlen = unhex(want_hex, want, sizeof want);
    g_assert_cmpmem(got, len, want, wlen);
}

static void test_ike_rekey(void)
{
    uint8_t s[IKE_PRF_LEN];
    g_assert_cmpint(ike_skeyseed_from_sk_d(SK_D, GIR, 32, NI, 32, NR, 32, s), ==, IKE_OK);
    assert_hex(s, 32, "e8984061b67857b5a79631cc6ca04c83a6f00e183405c5594f048ac9d6598f3d");
    ike_keys k;
    g_assert_cmpint(ike_rekey_ike_keys(&GCM256, SK_D, GIR, 32, NI, 32, NR, 32, SPI_I, SPI_R, &k), ==, IKE_OK);
    g_assert_cmpuint(k.integ_len, ==, 0);
    g_assert_cmpuint(k.encr_len, ==, 36);
    assert_hex(k.d, 32, "1cbf69317031ee9dce05fd787d1b122b764e40300afcec8f882907e97a77d352");
    assert_hex(k.ei, 36, "47d5ef2c1a1ed8e0c5f035a8a59b1c8dd75cd9efa4f8a9c4baa6735a5e242e6794010ddb");
    assert_hex(k.er, 36, "ed6fe4b884896a8a780faae1772512a77531899bc40e7c88fe6e615eaff6b5a5572e54fa");
    assert_hex(k.pi, 32, "f8ebd8940a40a76e521e02bfef68b79ad6dbd24d51ce63df15a0871f66d84f8a");
    assert_hex(k.pr, 32, "76edf5dd7dec11ff036bdfc34abf7926f9b7e7a06f6f19103545792d404541c1");
    /* §2.18: no rekey without a key exchange */
    g_assert_cmpint(ike_rekey_ike_keys(&GCM256, SK_D, NULL, 0, NI, 32, NR, 32, SPI_I, SPI_R, &k), ==,
                    IKE_E_SYNTAX);
}

static void test_resume(void)
{
    uint8_t s[IKE_PRF_LEN];
    g_assert_cmpint(ike_skeyseed_from_sk_d(SK_D, NULL, 0, NI, 32, NR, 32, s), ==, IKE_OK);
    assert_hex(s, 32, "d8e3082ec266d9ba00489794dcb1c8dce72d5aa77605345a338a901b9e2a07e7");
    ike_keys k;
    g_assert_cmpint(ike_resume_keys(&CBC128, SK_D, NI, 32, NR, 32, SPI_I, SPI_R, &k), ==, IKE_OK);
    g_assert_cmpuint(k.integ_len, ==, 32);
    g_assert_cmpuint(k.encr_len, ==, 16);
    assert_hex(k.d, 32, "e558d4dd8dc6145446253046a3a45b749c21636b457b41efa5a093f9765d912f");
    assert_hex(k.ai, 32, "9daf2814ee60bac2d5a0907747187246846d780c1083d04e889310849b3f0af0");
    assert_hex(k.ar, 32, "11d63a5fbb48d6b34656b3efcb973d4a392ae29752abfec65895c40b9108eafc");
    assert_hex(k.ei, 16, "5c642029b856b30afaea6456adbb77b4");
    assert_hex(k.er, 16, "4da2e60da0d601f77562a7a8d6597637");
    assert_hex(k.pi, 32, "3ffa880182b3be8500c603b80467e3435186f3760982b08bec18a96b65445a3f");
    assert_hex(k.pr, 32, "58a2715d4c71c1e08b65378a8d809998a8b61635c893d36cfa8ce057a0932b4b");
    /* the label matters: a resumption is no rekey with an empty g^ir */
    ike_keys r;
    g_assert_cmpint(ike_rekey_ike_keys(&CBC128, SK_D, (const uint8_t *)"Resumption", 10, NI, 32, NR, 32,
                                       SPI_I, SPI_R, &r), ==, IKE_OK);
    g_assert_cmpmem(r.d, 32, k.d, 32); /* ... but is exactly one with the label in its place */
    g_assert_cmpint(ike_resume_keys(&CBC128, SK_D, NI, 300, NR, 32, SPI_I, SPI_R, &k), ==, IKE_E_SYNTAX);

    /* RFC 5723 §4.3.3: the client's AUTH in the IKE_AUTH that follows, keyed with the new
     * SK_pi (above) over its first message (80..bf here), Nr and prf(SK_pi, IDi body) */
    uint8_t msg[64], auth[IKE_PRF_LEN];
    static const uint8_t idi[] = { IKE_ID_FQDN, 0, 0, 0, 'c', 'l', 'i', 'e', 'n', 't', '.', 'e', 'x', 'a',
                                   'm', 'p', 'l', 'e' };
    for (int i = 0; i < 64; i++)
        msg[i] = (uint8_t)(0x80 + i);
    g_assert_cmpint(ike_resumed_auth(msg, sizeof msg, NR, 32, k.pi, idi, sizeof idi, auth), ==, IKE_OK);
    assert_hex(auth, 32, "7588c4a2d900f9ad479ba07e7ef45741e432318b67d73b4e4adce9eb9742e53b");
}

static void test_child_keymat(void)
{
    uint8_t km[72], plain[72];
    g_assert_cmpint(ike_child_keymat_pfs(SK_D, GIR, 32, NI, 32, NR, 32, km, sizeof km), ==, IKE_OK);
    assert_hex(km, 72, "decfc476f430d83f5e5c685f384401afa53b1242cef2b0f2f37efc592b93ca3d03fc85d1e253ca17"
                       "5e02f9a29fa0d15b3033391ab15f2626eb2f1cdb8a5e3310bc9757728a83f704");
    g_assert_cmpint(ike_child_keymat_pfs(SK_D, NULL, 0, NI, 32, NR, 32, km, sizeof km), ==, IKE_OK);
    assert_hex(km, 72, "3e4b18037ac81676e07836acb30310948c408dab39cad45276b62602ddd30a26aeb332d0b6992f5f"
                       "4a626d9d8312a02f32bd85d6125c1ac436f734c9fd9b4f934d60814817c3bdad");
    /* without PFS it is the first Child SA's formula */
    g_assert_cmpint(ike_child_keymat(IKE_PRF_HMAC_SHA2_256, SK_D, NI, 32, NR, 32, plain, sizeof plain), ==, IKE_OK);
    g_assert_cmpmem(km, sizeof km, plain, sizeof plain);
}

/* Both ends of a real X25519 rekey derive the same new keys, none equal to
 * the old ones; swapping the nonces (the wrong side's view) changes them. */
static void test_both_ends(void)
{
    uint8_t ra[IKE_DH_PRIV_RAND], rb[IKE_DH_PRIV_RAND], pa[32], pb[32], ga[32], gb[32];
    memset(ra, 0x11, sizeof ra);
    memset(rb, 0x22, sizeof rb);
    ike_dh *a, *b;
    g_assert_cmpint(ike_dh_new(IKE_DH_CURVE25519, ra, &a), ==, IKE_OK);
    g_assert_cmpint(ike_dh_new(IKE_DH_CURVE25519, rb, &b), ==, IKE_OK);
    g_assert_cmpint(ike_dh_public(a, pa, 32), ==, IKE_OK);
    g_assert_cmpint(ike_dh_public(b, pb, 32), ==, IKE_OK);
    size_t la, lb;
    g_assert_cmpint(ike_dh_shared(a, pb, 32, ga, sizeof ga, &la), ==, IKE_OK);
    g_assert_cmpint(ike_dh_shared(b, pa, 32, gb, sizeof gb, &lb), ==, IKE_OK);
    ike_keys ka, kb, swapped;
    g_assert_cmpint(ike_rekey_ike_keys(&GCM256, SK_D, ga, la, NI, 32, NR, 32, SPI_I, SPI_R, &ka), ==, IKE_OK);
    g_assert_cmpint(ike_rekey_ike_keys(&GCM256, SK_D, gb, lb, NI, 32, NR, 32, SPI_I, SPI_R, &kb), ==, IKE_OK);
    g_assert_cmpmem(&ka, sizeof ka, &kb, sizeof kb);
    g_assert_cmpint(memcmp(ka.d, SK_D, 32), !=, 0);
    g_assert_cmpint(ike_rekey_ike_keys(&GCM256, SK_D, ga, la, NR, 32, NI, 32, SPI_I, SPI_R, &swapped), ==,
                    IKE_OK);
    g_assert_cmpint(memcmp(swapped.ei, ka.ei, 36), !=, 0);
    ike_dh_free(a);
    ike_dh_free(b);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (int i = 0; i < 32; i++) {
        NI[i] = (uint8_t)i;
        NR[i] = (uint8_t)(0x20 + i);
        SK_D[i] = (uint8_t)(0x40 + i);
        GIR[i] = (uint8_t)(0x60 + i);
    }
    g_test_add_func("/rekey-keys/ike-rekey", test_ike_rekey);
    g_test_add_func("/rekey-keys/resume", test_resume);
    g_test_add_func("/rekey-keys/child-keymat", test_child_keymat);
    g_test_add_func("/rekey-keys/both-ends", test_both_ends);
    return g_test_run();
}
