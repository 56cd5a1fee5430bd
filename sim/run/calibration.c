/* calibration.c — written by `ikesim calibrate --output` (calibration.h):
 * a responder's CPU per handshake, median seconds.  Re-measure rather
 * than edit.  (The resume_s column was measured by the same command on the
 * same machine later the same day, and added to the table as it was.) */
#include "calibration.h"

const char sim_calibration_machine[] = "AMD EPYC, OpenSSL 3.0.19 27 Jan 2026, 2026-12-04";

const sim_calibration sim_calibration_table[] = {
    {"aes256gcm16-prfsha256-x25519", 0.000088427, 0.000015978, 0.000011800},
    {"aes256gcm16-prfsha256-x448", 0.000429288, 0.000017215, 0.000012000},
    {"aes256gcm16-prfsha256-ecp256", 0.000121805, 0.000017356, 0.000012000},
    {"aes256gcm16-prfsha256-ecp384", 0.001697165, 0.000029389, 0.000012000},
    {"aes256gcm16-prfsha256-ecp521", 0.000525145, 0.000024286, 0.000012000},
    {"aes256gcm16-prfsha256-modp2048", 0.000611759, 0.000023265, 0.000011900},
    {"aes256gcm16-prfsha256-modp3072", 0.001349741, 0.000028487, 0.000011900},
    {"aes256gcm16-prfsha256-modp4096", 0.003156015, 0.000124801, 0.000011900},
    {"aes128gcm16-prfsha256-x25519", 0.000087530, 0.000015858, 0.000011000},
    {"aes128-sha256-prfsha256-modp2048", 0.000599215, 0.000027276, 0.000011900},
    {"aes128-sha256-prfsha256-x25519", 0.000087515, 0.000018087, 0.000011900},
    {"aes256-sha512-prfsha512-ecp384", 0.001713782, 0.000035999, 0.000000000},
    {"aes256-sha384-prfsha384-ecp384", 0.001735579, 0.000036108, 0.000000000},
    {"aes128-sha1-prfsha1-modp2048", 0.000603658, 0.000030595, 0.000000000},
    {"aes256ccm16-prfsha384-ecp384", 0.001729400, 0.000033234, 0.000000000},
    {"chacha20poly1305-prfsha256-x25519", 0.000088407, 0.000015663, 0.000012000},
};

const size_t sim_calibration_rows = sizeof sim_calibration_table / sizeof sim_calibration_table[0];
