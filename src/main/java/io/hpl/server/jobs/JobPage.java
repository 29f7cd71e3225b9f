package io.hpl.server.jobs;

import io.hpl.server.store.JobRecord;
import java.util.List;

/** One page of ListJobs; {@code nextPageToken} is empty on the last page. */
public record JobPage(List<JobRecord> jobs, String nextPageToken) {
}
