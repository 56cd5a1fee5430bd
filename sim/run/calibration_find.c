#include "calibration.h"

#include <string.h>

const sim_calibration *sim_calibration_find(const ike_suite *ike)
{
    char name[96];
    ike_suite_name(IKE_PROTO_IKE, ike, name, sizeof name);
    for (size_t i = 0; i < sim_calibration_rows; i++)
        if (strcmp(sim_calibration_table[i].suite, name) == 0)
            return &sim_calibration_table[i];
    return NULL;
}
