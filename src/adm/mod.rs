//! `lvsdeck adm`: ipvsadm 1.31's command line, listing and save output, exit codes.
