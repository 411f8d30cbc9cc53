//! C ABI with the Windows p2p.h names, backed by peernet
