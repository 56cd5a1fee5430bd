# Round-trip times of the wrapper demo; requests without a reply are marked
# at the bottom.  Call with -e "csv='...'; png='...'".
set terminal pngcairo size 900,420 font ",10"
set output png
set datafile separator ","
set key top left
set xlabel "time the echo request was sent (s)"
set ylabel "round-trip time (ms)"
set yrange [0:*]
set grid
plot csv using 2:(strlen(strcol(3)) ? $3 : 1/0) skip 1 with points pt 7 ps 0.6 title "echo answered", \
     csv using 2:(strlen(strcol(3)) ? 1/0 : 0) skip 1 with points pt 2 ps 0.8 lc rgb "red" title "no reply (lost)"
