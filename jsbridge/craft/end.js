})(typeof window !== 'undefined' ? window : this, /*craft-boot*/null,
   typeof __craftPristine === 'object' ? __craftPristine : null,  // Tkhtml's world, before any page script
   typeof __craftFlushing === 'object' ? __craftFlushing : null);
