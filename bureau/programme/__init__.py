"""The programme the console manages (activities, notices, terms, courses, rosters): the rules of
each, and how it is published to the kiosks on the "items" stream.  bureau/console holds the pages."""
