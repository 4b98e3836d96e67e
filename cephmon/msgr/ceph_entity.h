/* cephmon/msgr/ceph_entity.h: Ceph's entity types (CEPH_ENTITY_TYPE_* in Ceph's
 * msgr.h), shared by the messenger and cephx. */
#ifndef NETFUSE_CEPH_ENTITY_H
#define NETFUSE_CEPH_ENTITY_H

#define CEPH_ENTITY_TYPE_MON 0x01
#define CEPH_ENTITY_TYPE_MDS 0x02
#define CEPH_ENTITY_TYPE_OSD 0x04
#define CEPH_ENTITY_TYPE_CLIENT 0x08
#define CEPH_ENTITY_TYPE_MGR 0x10
#define CEPH_ENTITY_TYPE_AUTH 0x20

#endif
