# Median detection time per method and reboot time (the test only checks
# that a PNG appears).
set terminal pngcairo size 400,300
set output out
set datafile separator ","
set datafile columnheaders
plot dir.'/summary.csv' using 0:"detect_s_median" with points title experiment
