"""Views: what combines several contexts (the 7-group view of a person), on the floor above the contexts."""
