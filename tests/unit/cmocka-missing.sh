#!/bin/sh
# Stands in for the unit tests when configure did not find cmocka.
echo "1..1"
echo "not ok 1 - unit tests need cmocka: install the Debian package libcmocka-dev and re-run configure"
