package org.opencluster.auth.server.session;

import java.util.List;
import java.util.Optional;

/**
 * What the other nodes of a cluster must hear of this node's admin actions, and what this node can see of their
 * sessions (issue 16). {@link #NONE} for a single node.
 */
public interface ClusterBroadcast {
    /** Every node ends the sessions of {@code username} with {@code reason}. */
    void endUser(String username, String reason);

    /** The live sessions of the other nodes (their terminate() asks the owning node to end them). */
    List<LiveSession> elsewhere();

    /** A live session of another node. */
    default Optional<LiveSession> findElsewhere(long id) {
        return elsewhere().stream().filter(s -> s.id() == id).findFirst();
    }

    ClusterBroadcast NONE = new ClusterBroadcast() {
        @Override
        public void endUser(String username, String reason) {
        }

        @Override
        public List<LiveSession> elsewhere() {
            return List.of();
        }
    };
}
