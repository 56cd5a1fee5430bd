/* tshark.h — tshark as an external validator for the system tests. */
#ifndef IKESIM_TESTS_TSHARK_H
#define IKESIM_TESTS_TSHARK_H

#include <glib.h>

/* Is tshark installed? */
gboolean tshark_available(void);
/* `tshark -n -r pcap -Y filter -T fields -e field` with Wireshark's config
 * (and so its ikev2_decryption_table) in cfg_dir; returns stdout. */
char *tshark_fields(const char *cfg_dir, const char *pcap, const char *filter, const char *field);
/* Frames tshark marks malformed or at warning level or above ("" = none). */
char *tshark_bad_frames(const char *cfg_dir, const char *pcap);
guint count_lines(const char *s);
/* Asserts that tshark_fields(), whitespace stripped, is exactly want. */
void tshark_assert_field(const char *cfg_dir, const char *pcap, const char *filter, const char *field,
                         const char *want);

#endif
