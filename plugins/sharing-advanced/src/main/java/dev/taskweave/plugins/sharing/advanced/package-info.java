/**
 * Six sharing strategies beyond hard sharing and MMoE. Expert mixtures: {@code omoe} (one gate
 * shared by all tasks), {@code cgc} (shared plus task-owned experts, Tang et al., RecSys 2020) and
 * {@code ple} (stacked CGC levels, same paper). Per-task columns: {@code separate} (no coupling),
 * {@code cross-stitch} (learnable linear mixing after every layer, Misra et al., CVPR 2016) and
 * {@code soft-l2} (an L2 penalty pulling corresponding column weights together, Duong et al.,
 * ACL 2015).
 */
package dev.taskweave.plugins.sharing.advanced;
