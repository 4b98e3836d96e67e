# health/: the event model behind the .health file (queue, merging, rendering,
# export). Its sources land with the FUSE core; cephmon/, afs_rx/ and nlm/
# will link libhealth.a to emit events.
