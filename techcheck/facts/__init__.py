"""Facts that collectors attach to artifacts on every platform: what an entry runs (behaviour) and
where it came from (origin). Pure code: nothing here touches the scanned system."""
