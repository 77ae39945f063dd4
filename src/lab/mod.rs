//! The throwaway director VM: real kernel IPVS under qemu, for machines that lack it.
