"""What leaves the case for others: reports, bundles and exports."""
